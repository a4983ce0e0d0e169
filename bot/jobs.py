"""The worker's scheduled jobs: the daily digest, and the eMAG sync followed (when
STOCKBOT_AUTO_RESEND is on) by the weekly re-send of offers not sent for a week.

Each job logs its outcome and never raises: the scheduler must outlive one bad run.
"""

from __future__ import annotations

import logging

from bot.digest import DigestOutcome, run_digest
from bot.emag.client import clients_from_settings
from bot.emag.sync import SyncReport, sync_accounts
from bot.emag.writeback import ResendReport, resend_offers
from bot.runtime import Runtime
from bot.service import utcnow
from bot.slack_client import make_web_client

log = logging.getLogger("stockbot.worker")


def post_digest(runtime: Runtime, force: bool = False) -> DigestOutcome:
    """Post today's digest (or a forced extra one) to STOCKBOT_ALERT_CHANNEL."""
    return run_digest(runtime, make_web_client(runtime.settings), utcnow(), force=force)


def sync_and_resend(runtime: Runtime) -> tuple[SyncReport, ResendReport | None]:
    """Read both accounts; then re-send the offers due for their weekly update."""
    clients = clients_from_settings(runtime.settings)
    try:
        report = sync_accounts(runtime, clients, utcnow())
        resent = None
        if runtime.settings.auto_resend:
            resent = resend_offers(runtime, clients._asdict(), utcnow(), stale_only=True)
    finally:
        for client in clients:
            client.close()
    return report, resent


def digest_job(runtime: Runtime) -> None:
    try:
        outcome = post_digest(runtime)
        log.info("digest %s: %s", outcome.status, outcome.detail)
    except Exception:
        log.exception("digest run failed")


def sync_job(runtime: Runtime) -> None:
    try:
        report, resent = sync_and_resend(runtime)
        for result in report.accounts:
            log.info(
                "sync %s: %s, %d offers%s",
                result.account,
                result.status,
                result.offers,
                f" ({result.error})" if result.error else "",
            )
        if resent is not None:
            log.info("weekly re-send: %d offers sent, ok=%s", resent.sent, resent.ok)
    except Exception:
        log.exception("sync run failed")
