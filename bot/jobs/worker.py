"""The worker's scheduled jobs: the daily digest (and, at start, the take-over of one a
dead worker left half posted), the weekly plan (bot/jobs/plan_post.py), and the eMAG sync
followed (when STOCKBOT_AUTO_RESEND is on) by the weekly re-send of offers not sent for a
week.

Each job logs its outcome and never raises: the scheduler must outlive one bad run.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.clock import utcnow
from bot.emag.client import clients_from_settings
from bot.emag.sync import SyncReport, sync_accounts
from bot.emag.writeback import ResendReport, resend_offers
from bot.i18n import _
from bot.jobs.digest import run_digest
from bot.jobs.digest_plan import DigestOutcome
from bot.jobs.plan_post import post_plan
from bot.runtime import Runtime
from bot.slack_client import make_web_client
from bot.web.chart import trend_chart
from storage import digests

log = logging.getLogger("stockbot.worker")
MONDAY = 0
CHART_DAYS = 30


def post_digest(runtime: Runtime, force: bool = False) -> DigestOutcome:
    """Post today's digest (or a forced extra one) to STOCKBOT_ALERT_CHANNEL; on Mondays
    the trend chart of the last 30 days follows it."""
    # No blind resend: a lost answer is settled by looking in the channel (digest_post).
    client = make_web_client(runtime.settings, resend=False)
    now = runtime.service.clock()
    outcome = run_digest(runtime, client, now, force=force)
    zone = runtime.settings.zone
    if outcome.status == "sent" and now.astimezone(zone).weekday() == MONDAY:
        try:
            # Uploads need the channel's ID (slack.md), the one the digest's post answered.
            client.files_upload_v2(
                channel=outcome.channel_id,
                content=trend_chart(runtime.sessions, now, CHART_DAYS),
                filename="stock-trend.png",
                title=_("Stock alerts and weekly-update compliance, last {days} days").format(
                    days=CHART_DAYS
                ),
                initial_comment=_("Weekly trend: open alerts per day by priority, compliance %"),
            )
        except Exception as exc:  # the digest went out; a missing chart must not fail it
            reason = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
            log.warning("weekly chart not uploaded: %s", reason, exc_info=True)
    return outcome


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


def resume_digest_job(runtime: Runtime) -> None:
    """Run once, a lease after the worker starts: today's digest, claimed by a worker that
    died mid-post (a deploy, a kill), is taken over now rather than left for tomorrow."""
    try:
        channel = runtime.settings.alert_channel or ""
        day = runtime.service.clock().astimezone(runtime.settings.zone).date()
        with runtime.sessions() as session:
            if not digests.left_claimed(session, channel, day):
                return
        outcome = post_digest(runtime)
        log.info("unfinished digest taken over, %s: %s", outcome.status, outcome.detail)
    except Exception:
        log.exception("taking over the unfinished digest failed")


def plan_job(runtime: Runtime) -> None:
    """The weekly plan to STOCKBOT_ALERT_CHANNEL (STOCKBOT_PLAN_CRON)."""
    try:
        posted = post_plan(runtime, make_web_client(runtime.settings, resend=False))
        log.info("plan %s: %s", posted.status, posted.detail)
    except Exception:
        log.exception("plan run failed")


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
            log.info("weekly re-send: %d sent, %d refused", resent.sent, resent.refused)
            for account in resent.accounts:
                for refused in account.refused:
                    log.warning(
                        "re-send refused on %s: %s (offer %d): %s",
                        refused.account.upper(),
                        refused.sku,
                        refused.offer_id,
                        refused.error,
                    )
                if account.stopped:
                    log.warning(
                        "re-send stopped on %s: %s", account.account.upper(), account.stopped
                    )
    except Exception:
        log.exception("sync run failed")
