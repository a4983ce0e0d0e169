"""A fake eMAG Marketplace API server for tests and for trying stockbot without an account."""

from tests.fake_emag.server import ACCOUNTS, DEFAULT_LIMITS, FakeEmag, RecordedRequest

__all__ = ["ACCOUNTS", "DEFAULT_LIMITS", "FakeEmag", "RecordedRequest"]
