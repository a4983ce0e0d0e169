"""SlackStandin: a real HTTP server on 127.0.0.1 answering the Web API methods stockbot
uses (their answers: `web_api.py`, `channels.py`), keeping channel messages, threads,
ephemeral messages, modals and App Home views as Slack would, serving `response_url`s,
checking Block Kit and size limits and the per-channel posting rate, recording every
request, and able to answer with scripted failures (429 with Retry-After, 5xx), late
answers, and answers that never arrive (the work done, the connection dropped)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from bot.slack_standin.channels import PostRate
from bot.slack_standin.scripts import Delay, Failure, ScriptedFailures
from bot.slack_standin.socket_mode import SocketModeStandin
from bot.slack_standin.web_api import WebApiMethods


class _Server(ThreadingHTTPServer):
    # Slack takes bursts; the default backlog of 5 would drop connections under load
    # and show up as one-second client retransmits.
    request_queue_size = 128
    daemon_threads = True


class SlackStandin(ScriptedFailures, WebApiMethods):
    """Start with `with SlackStandin(token=...) as slack:`; point SLACK_API_URL at
    `slack.api_url`. `post_rate`/`post_burst` are chat.postMessage's pace per channel
    (slack.md: about one a second); `scopes`, when given, are the bot token's scopes."""

    def __init__(
        self,
        token: str = "xoxb-test",
        host: str = "127.0.0.1",
        port: int = 0,
        app_token: str | None = None,
        post_rate: float = 1.0,
        post_burst: int = 3,
        scopes: set[str] | None = None,
    ):
        self.token = token
        self.app_token = app_token
        self._socket_mode: SocketModeStandin | None = None
        self._lock = threading.RLock()
        self._records: list[dict[str, Any]] = []
        self._channels: dict[str, list[dict[str, Any]]] = {}
        self._names: dict[str, str] = {}
        self._scopes = scopes
        self._rate = PostRate(post_rate, post_burst)
        self._last_ts = 0.0
        self._failures: list[Failure] = []
        self._delays: list[Delay] = []
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
                if status == 0:  # done, but the answer is lost on the way back
                    self.close_connection = True
                    return
                late = standin._lateness(self.path)
                if late:
                    time.sleep(late)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                try:
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller went away (killed) before a late answer

        self._server = _Server((host, port), Handler)
        # A short poll interval: stopping waits for one poll, and tests stop it often.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

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

    def requests(self, method: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self._records if method is None or r["method"] == method]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Every message of the channel (given by ID or name), thread replies included, in
        the order they were posted."""
        with self._lock:
            found = self.channel_id(channel, by_name=True) or channel
            return [dict(message) for message in self._channels.get(found, [])]

    def top_level(self, channel: str) -> list[dict[str, Any]]:
        """The messages shown in the channel itself: thread replies left out."""
        return [m for m in self.messages(channel) if m.get("thread_ts", m["ts"]) == m["ts"]]

    def replies(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies in the thread of message `ts`, oldest first."""
        return [m for m in self.messages(channel) if m.get("thread_ts") == ts != m["ts"]]

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

    def home(self, user: str) -> dict[str, Any] | None:
        with self._lock:
            return self._home.get(user)

    def _handle(self, path: str, headers: dict[str, str], raw: str) -> tuple[int, dict, dict]:
        path, _, query = path.partition("?")
        if headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw or "{}")
        else:
            body = {key: values[0] for key, values in parse_qs(raw).items()}
        body = {**{key: values[0] for key, values in parse_qs(query).items()}, **body}
        for key in ("blocks", "view", "files", "metadata"):
            if isinstance(body.get(key), str):
                body[key] = json.loads(body[key])
        if path.startswith("/response/"):
            return self._respond(path.removeprefix("/response/"), body)
        method = path.removeprefix("/api/")
        with self._lock:
            record = {"method": method, "body": body, "at": time.time()}
            self._records.append(record)
            status, extra, answer = self._scripted(method, headers, body)
            record.update(status=status, error=answer.get("error"))
            return status, extra, answer

    def _scripted(self, method: str, headers: dict[str, str], body: dict) -> tuple[int, dict, dict]:
        failure = self._failure(method)
        if failure is not None and failure.status:
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
        status, extra, answer = self._answer(method, body)
        return (0 if failure is not None else status), extra, answer

    def files(self) -> list[dict[str, Any]]:
        """Uploaded files: id, filename, title, data (bytes)."""
        with self._lock:
            return [dict(f) for f in self._files.values()]
