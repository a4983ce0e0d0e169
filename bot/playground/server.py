"""The playground's own small web app: the channel page, the stand-in's state as JSON for
the page to poll, and the endpoints that turn what the user does in the page into signed
Slack requests to the bot's /slack/events (SlackSender, exactly as Slack signs them).

It plays Slack's client and Slack's servers for one user in one workspace; the bot it
talks to is the real one, over HTTP.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections import deque
from importlib.resources import files
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from bot.jobs import worker as jobs
from bot.runtime import Runtime
from bot.slack_standin import SlackStandin
from bot.slack_standin.requests import SlackSender
from handlers.ids import COMMAND

COMMAND_CHANNEL = "CSTOCK"
ALERT_CHANNEL = "CSTOCKALERTS"
CHANNELS = {COMMAND_CHANNEL: "stock", ALERT_CHANNEL: "stock-alerts"}
USER = "UPLAYGROUND"
USERS = {USER: "you", "UBOT": "stockbot"}
EXAMPLES = (
    "/stock analyze EMG331",
    "/stock alerts 5",
    "/stock summary",
    "/stock transfer EMG331 fbe main 10",
    "/stock help",
)
LOG_SIZE = 50
# The page sends this header with every POST: a form or a simple request from another
# site cannot set it without a CORS preflight, which this app never answers.
PAGE_HEADER = "X-Stockbot-Playground"


class CommandIn(BaseModel):
    text: str = Field(max_length=4000)
    channel: str = COMMAND_CHANNEL


class ActionIn(BaseModel):
    action_id: str = Field(max_length=255)
    block_id: str = Field("", max_length=255)
    value: str = Field("", max_length=2000)
    channel: str | None = None
    message_ts: str | None = None
    view_id: str | None = None


class SubmitIn(BaseModel):
    view_id: str
    values: dict[str, dict[str, dict[str, Any]]]


class CloseIn(BaseModel):
    view_id: str


def _script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no "</script>" or "<!--" can appear."""
    return json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(config: dict[str, Any]) -> str:
    """The page, with the channel list server-rendered and the config for the script."""
    template = files("bot.playground").joinpath("page.html").read_text(encoding="utf-8")
    channels = "\n".join(
        f'<li><button type="button" class="channel" data-channel="{html.escape(cid)}">'
        f'<span class="hash">#</span><span class="channel-name">{html.escape(name)}</span>'
        f'<span class="unread" hidden></span></button></li>'
        for cid, name in CHANNELS.items()
    )
    examples = "\n".join(
        f'<button type="button" class="example">{html.escape(text)}</button>' for text in EXAMPLES
    )
    return (
        template.replace("{{CHANNELS}}", channels)
        .replace("{{EXAMPLES}}", examples)
        .replace("{{CONFIG}}", _script_json(config))
    )


def create_playground_app(runtime: Runtime, standin: SlackStandin, sender: SlackSender) -> FastAPI:
    """The page and its JSON endpoints; `sender` posts to the real bot's /slack/events."""
    web = FastAPI(title="stockbot playground", docs_url=None, redoc_url=None, openapi_url=None)
    log: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
    log_lock = threading.Lock()
    config = {
        "channels": [{"id": cid, "name": name} for cid, name in CHANNELS.items()],
        "alertChannel": ALERT_CHANNEL,
        "user": USER,
        "users": USERS,
        "command": COMMAND,
        "header": PAGE_HEADER,
    }

    def from_page(request: Request) -> None:
        if request.headers.get(PAGE_HEADER) != "1":
            raise HTTPException(403, "requests come from the playground page only")

    def record(what: str, response: Any, started: float) -> dict[str, Any]:
        body = response.text[:500] if response.content else ""
        entry = {
            "what": what,
            "status": response.status_code,
            "ms": round((time.monotonic() - started) * 1000),
            "ack": body,
        }
        with log_lock:
            log.append(entry)
        return entry

    def message(channel: str, ts: str) -> dict[str, Any] | None:
        for found in standin.messages(channel) + standin.ephemerals(channel):
            if found["ts"] == ts:
                return found
        return None

    def open_view(view_id: str) -> dict[str, Any]:
        for view in standin.open_views():
            if view["id"] == view_id:
                return view
        raise HTTPException(404, "that modal is closed")

    @web.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        return HTMLResponse(render_page(config), headers={"Cache-Control": "no-store"})

    @web.get("/state")
    def state() -> JSONResponse:
        with log_lock:
            entries = list(log)
        ephemerals = [m for m in standin.ephemerals() if m.get("user") == USER]
        return JSONResponse(
            {
                "channels": {cid: standin.messages(cid) for cid in CHANNELS},
                "ephemerals": ephemerals,
                "views": standin.open_views(),
                "log": entries,
            },
            headers={"Cache-Control": "no-store"},
        )

    @web.post("/command", dependencies=[Depends(from_page)])
    def command(body: CommandIn) -> dict[str, Any]:
        if body.channel not in CHANNELS:
            raise HTTPException(404, "no such channel")
        name, _, text = body.text.strip().partition(" ")
        if name != COMMAND:
            return {"ok": False, "error": f"only {COMMAND} is installed in this workspace"}
        started = time.monotonic()
        response = sender.command(text.strip(), user=USER, channel=body.channel)
        entry = record(f"{COMMAND} {text.strip()}", response, started)
        return {"ok": response.status_code == 200, "log": entry}

    @web.post("/action", dependencies=[Depends(from_page)])
    def action(body: ActionIn) -> dict[str, Any]:
        if body.view_id:
            payload = sender.click_payload(
                None,
                body.action_id,
                body.block_id,
                body.value,
                user=USER,
                view=open_view(body.view_id),
            )
        else:
            channel = body.channel or ""
            clicked = message(channel, body.message_ts or "")
            if clicked is None:
                raise HTTPException(404, "that message is gone")
            payload = sender.click_payload(
                clicked, body.action_id, body.block_id, body.value, user=USER, channel=channel
            )
        started = time.monotonic()
        response = sender.send_payload(payload)
        entry = record(f"block_actions {body.action_id}", response, started)
        return {"ok": response.status_code == 200, "log": entry}

    @web.post("/submit", dependencies=[Depends(from_page)])
    def submit(body: SubmitIn) -> dict[str, Any]:
        view = open_view(body.view_id)
        started = time.monotonic()
        response = sender.submit_view(view, body.values, user=USER)
        entry = record(f"view_submission {view.get('callback_id', '')}", response, started)
        if response.status_code != 200:
            return {"ok": False, "error": f"the bot answered HTTP {response.status_code}"}
        try:
            answer = response.json() if response.content else {}
        except ValueError:
            answer = {}
        # Slack applies the ack's response_action to the modal; the stand-in plays that.
        applied = standin.apply_view_answer(body.view_id, answer)
        errors = answer.get("errors") if answer.get("response_action") == "errors" else None
        return {**applied, "errors": errors or {}, "log": entry}

    @web.post("/close", dependencies=[Depends(from_page)])
    def close(body: CloseIn) -> dict[str, Any]:
        standin.close_view(body.view_id)
        return {"ok": True}

    @web.post("/digest", dependencies=[Depends(from_page)])
    def digest() -> dict[str, Any]:
        started = time.monotonic()
        outcome = jobs.post_digest(runtime, force=True)
        entry = {
            "what": "digest job (post_digest, force)",
            "status": outcome.status,
            "ms": round((time.monotonic() - started) * 1000),
            "ack": outcome.detail,
        }
        with log_lock:
            log.append(entry)
        return {
            "ok": outcome.status != "failed",
            "status": outcome.status,
            "detail": outcome.detail,
            "channel": ALERT_CHANNEL,
        }

    return web
