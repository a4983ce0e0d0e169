"""The weekly plan posted by the worker (STOCKBOT_PLAN_CRON, Mondays by default) to
STOCKBOT_ALERT_CHANNEL: one channel message with the three lists' totals, their top lines
and the Mark-shipped buttons, and the CSV attached in its thread, so the channel reads one
message. A claim per channel and local day keeps several workers to one post; a post
Slack refuses gives the claim back, for the next run to try again."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from bot import interactions, plan_service
from bot.runtime import Runtime
from handlers.blocks.plan import TOP_LINES, build_plan_blocks, plan_fallback
from handlers.blocks.size import guard
from handlers.plan import plan_upload, upload_file


@dataclass
class PlanPost:
    status: str  # "sent", "skipped" (already posted today) or "failed"
    detail: str
    channel_id: str | None = None
    ts: str | None = None


def post_plan(runtime: Runtime, client: WebClient) -> PlanPost:
    """Post the plan now (once per channel and local day) with its CSV in the thread."""
    settings, service = runtime.settings, runtime.service
    channel = settings.alert_channel or ""
    now = service.clock()
    key = f"plan-post:{channel}:{now.astimezone(settings.zone).date().isoformat()}"
    earlier = interactions.claim_click(service, key, "worker")
    if earlier is not None:
        return PlanPost("skipped", f"already posted at {earlier.claimed_at.isoformat()}")
    try:
        plan = plan_service.build(service, settings.plan_min_units, TOP_LINES)
        message = guard(
            {"text": plan_fallback(plan), "blocks": build_plan_blocks(plan, settings.zone)}
        )
        posted = client.chat_postMessage(channel=channel, **message)
    except Exception:
        interactions.release_click(service, key)
        raise
    # Uploads need the channel's ID (slack.md), the one the post answered with.
    channel_id, ts = posted["channel"], posted["ts"]
    try:
        upload_file(client, channel_id, plan_upload(service, plan), ts)
    except Exception as exc:  # the plan went out; say the file did not
        return PlanPost("sent", f"posted without its CSV: {exc}", channel_id, ts)
    lines = sum(plan_list.line_count for plan_list in plan.lists())
    return PlanPost("sent", f"{lines} lines posted with the CSV", channel_id, ts)
