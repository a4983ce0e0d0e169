"""eMAG Marketplace API: one client per seller account (MAIN, FBE), the sync that reads
both into the snapshot, and the write-back (MAIN stock, the weekly re-send).

It may import the engine, storage and the shared pieces; nothing of Slack, the web or
the jobs.
"""

from bot.emag.client import EmagClient, EmagClients, OfferCount, clients_from_settings
from bot.emag.errors import (
    EmagAuthError,
    EmagError,
    EmagFbeWriteError,
    EmagIpNotWhitelistedError,
    EmagNotFoundError,
    EmagRequestError,
    EmagUnavailableError,
)

__all__ = [
    "EmagAuthError",
    "EmagClient",
    "EmagClients",
    "EmagError",
    "EmagFbeWriteError",
    "EmagIpNotWhitelistedError",
    "EmagNotFoundError",
    "EmagRequestError",
    "EmagUnavailableError",
    "OfferCount",
    "clients_from_settings",
]
