"""SlackStandin: a real HTTP server on 127.0.0.1 answering the Web API methods stockbot
uses, keeping channel messages, ephemeral messages, modals and App Home views as Slack
would, serving `response_url`s, checking Block Kit limits, recording every request, and
able to answer with scripted failures (429 with Retry-After, 5xx)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from bot.slack_standin.limits import block_errors, view_errors
from bot.slack_standin.socket_mode import SocketModeStandin

RESPONSE_URL_USES = 5


class _Server(ThreadingHTTPServer):
    # Slack takes bursts; the default backlog of 5 would drop connections under load
    # and show up as one-second client retransmits.
    request_queue_size = 128
    daemon_threads = True


@dataclass
class _Failure:
    method: str
    status: int
    retry_after: int | None
    times: int | None
    after: int = 0


class SlackStandin:
    """Start with `with SlackStandin(token=...) as slack:`; point SLACK_API_URL at
    `slack.api_url`."""

    def __init__(
        self,
        token: str = "xoxb-test",
        host: str = "127.0.0.1",
        port: int = 0,
        app_token: str | None = None,
    ):
        self.token = token
        self.app_token = app_token
        self._socket_mode: SocketModeStandin | None = None
        self._lock = threading.Lock()
        self._records: list[dict[str, Any]] = []
        self._channels: dict[str, list[dict[str, Any]]] = {}
        self._failures: list[_Failure] = []
        self._seq = 0
        self._ephemerals: list[dict[str, Any]] = []
        self._responses: dict[str, dict[str, Any]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._closed: set[str] = set()
        self._home: dict[str, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._used_triggers: set[str] = set()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                if self.path.startswith("/upload/"):
                    status, headers, body = standin._upload(
                        self.path.removeprefix("/upload/"), data
                    )
                else:
                    status, headers, body = standin._handle(
                        self.path, dict(self.headers), data.decode()
                    )
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        self._server = _Server((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def api_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/"

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def response_url(self, channel: str, user: str, message_ts: str | None = None) -> str:
        """A `response_url` as Slack puts in a slash command (no message) or a block
        action (bound to the message the button is in)."""
        with self._lock:
            self._seq += 1
            key = f"R{self._seq}"
            self._responses[key] = {"channel": channel, "user": user, "ts": message_ts}
        return f"{self.base_url}/response/{key}"

    def start(self) -> SlackStandin:
        self._thread.start()
        return self

    @property
    def socket_mode(self) -> SocketModeStandin:
        """The Socket Mode side (started on first use): deliver envelopes, read acks."""
        if self._socket_mode is None:
            self._socket_mode = SocketModeStandin()
        return self._socket_mode

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._socket_mode is not None:
            self._socket_mode.stop()

    def __enter__(self) -> SlackStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(
        self, method: str, status: int = 429, retry_after: int | None = 1, times: int | None = 1
    ) -> None:
        """The next `times` calls of `method` (None: every call) answer `status`."""
        with self._lock:
            self._failures.append(_Failure(method, status, retry_after, times))

    def fail_after(self, method: str, successes: int, status: int = 500) -> None:
        """Let `successes` calls of `method` through, then fail every call."""
        with self._lock:
            self._failures.append(_Failure(method, status, None, None, after=successes))

    def clear_failures(self) -> None:
        with self._lock:
            self._failures.clear()

    def requests(self, method: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self._records if method is None or r["method"] == method]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(message) for message in self._channels.get(channel, [])]

    def ephemerals(self, channel: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._ephemerals if channel in (None, m["channel"])]

    def views(self) -> list[dict[str, Any]]:
        """Modals opened (and updated), oldest first."""
        with self._lock:
            return [dict(view) for view in self._views.values()]

    def open_views(self) -> list[dict[str, Any]]:
        """Modals still on screen: opened and neither closed nor cleared, oldest first."""
        with self._lock:
            return [dict(v) for k, v in self._views.items() if k not in self._closed]

    def close_view(self, view_id: str) -> None:
        """The user closed the modal (Cancel or the x)."""
        with self._lock:
            self._closed.add(view_id)

    def apply_view_answer(self, view_id: str, answer: dict[str, Any]) -> dict[str, Any]:
        """Do what Slack does with an app's answer to a view_submission: `update`
        replaces the modal, `push` stacks a new one, `clear` closes them all, `errors`
        leaves it open (the errors are shown under the fields), and an empty answer
        closes it. Returns {"ok": ...} and, when refused, the error."""
        action = answer.get("response_action")
        with self._lock:
            if view_id not in self._views:
                return {"ok": False, "error": "not_found"}
            if action == "errors":
                return {"ok": True}
            if action == "clear":
                self._closed.update(self._views)
                return {"ok": True}
            if action in ("update", "push"):
                view = answer.get("view")
                if not isinstance(view, dict) or view.get("type") != "modal":
                    return {"ok": False, "error": "invalid_arguments"}
                errors = view_errors(view)
                if errors:
                    return {"ok": False, "error": "invalid_arguments", "errors": errors}
                if action == "push":
                    self._seq += 1
                    view_id = f"V{self._seq}"
                self._views[view_id] = {**view, "id": view_id}
                return {"ok": True}
            self._closed.add(view_id)
            return {"ok": True}

    def home(self, user: str) -> dict[str, Any] | None:
        with self._lock:
            return self._home.get(user)

    def _failure(self, method: str) -> _Failure | None:
        for failure in self._failures:
            if failure.method != method:
                continue
            if failure.after > 0:
                failure.after -= 1
                return None
            if failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
            return failure
        return None

    def _handle(self, path: str, headers: dict[str, str], raw: str) -> tuple[int, dict, dict]:
        path, _, query = path.partition("?")
        if headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw or "{}")
        else:
            body = {key: values[0] for key, values in parse_qs(raw).items()}
        body = {**{key: values[0] for key, values in parse_qs(query).items()}, **body}
        for key in ("blocks", "view", "files"):
            if isinstance(body.get(key), str):
                body[key] = json.loads(body[key])
        if path.startswith("/response/"):
            return self._respond(path.removeprefix("/response/"), body)
        method = path.removeprefix("/api/")
        with self._lock:
            self._records.append({"method": method, "body": body, "at": time.time()})
            failure = self._failure(method)
            if failure is not None:
                extra = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
                error = "ratelimited" if failure.status == 429 else "internal_error"
                return failure.status, extra, {"ok": False, "error": error}
            if method == "apps.connections.open":
                # Socket Mode: the app-level token, not the bot token, opens a connection.
                if not self.app_token or headers.get("Authorization") != f"Bearer {self.app_token}":
                    return 200, {}, {"ok": False, "error": "invalid_auth"}
                return 200, {}, {"ok": True, "url": self.socket_mode.url}
            if headers.get("Authorization") != f"Bearer {self.token}":
                return 200, {}, {"ok": False, "error": "invalid_auth"}
            return 200, {}, self._answer(method, body)

    def _next_ts(self) -> str:
        self._seq += 1
        return f"{1700000000 + self._seq}.000100"

    def _post(self, channel: str, body: dict[str, Any], user: str | None = None) -> dict:
        message = {
            "ts": self._next_ts(),
            "text": body.get("text"),
            "blocks": body.get("blocks", []),
            "user": user or "UBOT",
        }
        self._channels.setdefault(channel, []).append(message)
        return message

    def _find(self, channel: str, ts: str | None) -> dict[str, Any] | None:
        for message in self._channels.get(channel, []) + self._ephemerals:
            if message["ts"] == ts and message.get("channel", channel) == channel:
                return message
        return None

    def _respond(self, key: str, body: dict[str, Any]) -> tuple[int, dict, dict]:
        """A post to a response_url: a new message, or the bound message replaced."""
        with self._lock:
            self._records.append(
                {"method": "response_url", "key": key, "body": body, "at": time.time()}
            )
            target = self._responses.get(key)
            if target is None:
                return 404, {}, {"ok": False, "error": "expired_url"}
            # Slack honours a response_url up to five times.
            target["uses"] = target.get("uses", 0) + 1
            if target["uses"] > RESPONSE_URL_USES:
                return 404, {}, {"ok": False, "error": "used_url"}
            errors = block_errors(body.get("blocks", []))
            if errors:
                return 400, {}, {"ok": False, "error": "invalid_blocks", "errors": errors}
            channel = target["channel"]
            if body.get("delete_original") and target["ts"]:
                self._channels[channel] = [
                    m for m in self._channels.get(channel, []) if m["ts"] != target["ts"]
                ]
                return 200, {}, {"ok": True}
            if body.get("replace_original") and target["ts"]:
                message = self._find(channel, target["ts"])
                if message is None:
                    return 404, {}, {"ok": False, "error": "message_not_found"}
                message.update(text=body.get("text"), blocks=body.get("blocks", []))
                return 200, {}, {"ok": True}
            if body.get("response_type") == "in_channel":
                self._post(channel, body, user="UBOT")
            else:
                self._ephemerals.append(
                    {
                        "ts": self._next_ts(),
                        "channel": channel,
                        "user": target["user"],
                        "text": body.get("text"),
                        "blocks": body.get("blocks", []),
                    }
                )
            return 200, {}, {"ok": True}

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        channel = body.get("channel", "")
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "team_id": "T1", "bot_id": "BBOT"}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            errors = block_errors(body.get("blocks", []))
            if errors:
                return {"ok": False, "error": "invalid_blocks", "errors": errors}
        if method == "chat.postMessage":
            message = self._post(channel, body)
            return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}
        if method == "chat.update":
            message = self._find(channel, body.get("ts"))
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            message.update(text=body.get("text"), blocks=body.get("blocks", []))
            return {"ok": True, "channel": channel, "ts": message["ts"]}
        if method == "chat.postEphemeral":
            ts = self._next_ts()
            self._ephemerals.append(
                {
                    "ts": ts,
                    "channel": channel,
                    "user": body.get("user"),
                    "text": body.get("text"),
                    "blocks": body.get("blocks", []),
                }
            )
            return {"ok": True, "message_ts": ts}
        if method in ("views.open", "views.update", "views.publish"):
            return self._view(method, body)
        if method == "files.getUploadURLExternal":
            if not body.get("filename") or not str(body.get("length", "")).isdigit():
                return {"ok": False, "error": "invalid_arguments"}
            self._seq += 1
            file_id = f"F{self._seq}"
            self._files[file_id] = {"id": file_id, "filename": body["filename"], "data": None}
            return {
                "ok": True,
                "file_id": file_id,
                "upload_url": f"{self.base_url}/upload/{file_id}",
            }
        if method == "files.completeUploadExternal":
            return self._complete_upload(body)
        return {"ok": False, "error": "unknown_method"}

    def _upload(self, file_id: str, data: bytes) -> tuple[int, dict, dict]:
        with self._lock:
            self._records.append({"method": "upload", "key": file_id, "at": time.time()})
            failure = self._failure("upload")
            if failure is not None:
                return failure.status, {}, {"ok": False, "error": "upload_failed"}
            stored = self._files.get(file_id)
            if stored is None:
                return 404, {}, {"ok": False, "error": "file_not_found"}
            stored["data"] = data
        return 200, {}, {"ok": True}

    def _complete_upload(self, body: dict[str, Any]) -> dict[str, Any]:
        shared = []
        for item in body.get("files") or []:
            stored = self._files.get(item.get("id", ""))
            if stored is None or stored["data"] is None:
                return {"ok": False, "error": "file_not_found"}
            stored["title"] = item.get("title")
            shared.append(stored)
        channel = body.get("channel_id") or body.get("channels", "")
        if channel:
            message = self._post(channel, {"text": body.get("initial_comment")})
            message["files"] = [
                {"id": f["id"], "title": f.get("title"), "name": f["filename"]} for f in shared
            ]
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in shared]}

    def files(self) -> list[dict[str, Any]]:
        """Uploaded files: id, filename, title, data (bytes)."""
        with self._lock:
            return [dict(f) for f in self._files.values()]

    def _view(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        view = body.get("view")
        if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
            return {"ok": False, "error": "invalid_arguments"}
        errors = view_errors(view)
        if errors:
            return {
                "ok": False,
                "error": "invalid_arguments",
                "response_metadata": {"messages": errors},
            }
        if method == "views.publish":
            if not body.get("user_id"):
                return {"ok": False, "error": "invalid_arguments"}
            self._home[body["user_id"]] = view
            return {"ok": True, "view": {**view, "id": f"VHOME{body['user_id']}"}}
        if method == "views.open":
            # A trigger_id opens one modal, once.
            trigger = body.get("trigger_id")
            if not trigger or trigger in self._used_triggers:
                return {"ok": False, "error": "invalid_trigger_id"}
            self._used_triggers.add(trigger)
            self._seq += 1
            view_id = f"V{self._seq}"
        else:
            view_id = body.get("view_id", "")
            if view_id not in self._views:
                return {"ok": False, "error": "not_found"}
        stored = {**view, "id": view_id}
        self._views[view_id] = stored
        return {"ok": True, "view": stored}
