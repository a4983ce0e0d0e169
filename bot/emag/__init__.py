"""eMAG Marketplace API: one client per seller account (MAIN, FBE)."""

from bot.emag.client import EmagClient, EmagClients, OfferCount, clients_from_settings
from bot.emag.errors import (
    EmagAuthError,
    EmagError,
    EmagFbeWriteError,
    EmagIpNotWhitelistedError,
    EmagNotFoundError,
    EmagRequestError,
    EmagSaveError,
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
    "EmagSaveError",
    "EmagUnavailableError",
    "OfferCount",
    "clients_from_settings",
]
