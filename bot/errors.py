"""Errors a person can cause and be told about in one line (CLI, Slack, REST)."""

from __future__ import annotations


class StockbotError(Exception):
    """Base for errors whose message is safe and useful to show to the person who asked."""

    http_status = 400


class NotFound(StockbotError):
    """No product matches the SKU, PNK or EAN given."""

    http_status = 404

    def __init__(self, sku: str) -> None:
        self.sku = sku
        super().__init__(f"SKU {sku!r} not found (looked up by SKU, PNK and EAN)")


class InvalidInput(StockbotError):
    """A field of the request is malformed; `field` names it."""

    http_status = 422

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class InsufficientStock(StockbotError):
    """A transfer asks for more units than the source account has."""

    def __init__(self, account: str, available: int, requested: int) -> None:
        self.account = account
        self.available = available
        self.requested = requested
        super().__init__(
            f"insufficient stock on {account.upper()}: available {available}, requested {requested}"
        )
