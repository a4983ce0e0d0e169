"""SlackStandin: a real HTTP server on 127.0.0.1 answering the Web API methods stockbot
uses, keeping channel messages as Slack would, recording every request, and able to
answer with scripted failures (429 with Retry-After, 5xx)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


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

    def __init__(self, token: str = "xoxb-test", host: str = "127.0.0.1", port: int = 0):
        self.token = token
        self._lock = threading.Lock()
        self._records: list[dict[str, Any]] = []
        self._channels: dict[str, list[dict[str, Any]]] = {}
        self._failures: list[_Failure] = []
        self._seq = 0
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                status, headers, body = standin._handle(self.path, dict(self.headers), raw)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def api_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/"

    def start(self) -> SlackStandin:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

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
        method = path.removeprefix("/api/")
        if headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw or "{}")
        else:
            body = {key: values[0] for key, values in parse_qs(raw).items()}
            if isinstance(body.get("blocks"), str):
                body["blocks"] = json.loads(body["blocks"])
        with self._lock:
            self._records.append({"method": method, "body": body, "at": time.time()})
            failure = self._failure(method)
            if failure is not None:
                extra = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
                error = "ratelimited" if failure.status == 429 else "internal_error"
                return failure.status, extra, {"ok": False, "error": error}
            if headers.get("Authorization") != f"Bearer {self.token}":
                return 200, {}, {"ok": False, "error": "invalid_auth"}
            return 200, {}, self._answer(method, body)

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        channel = body.get("channel", "")
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "team_id": "T1"}
        if method == "chat.postMessage":
            self._seq += 1
            ts = f"{1700000000 + self._seq}.000100"
            message = {"ts": ts, "text": body.get("text"), "blocks": body.get("blocks", [])}
            self._channels.setdefault(channel, []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            for message in self._channels.get(channel, []):
                if message["ts"] == body.get("ts"):
                    message.update(text=body.get("text"), blocks=body.get("blocks", []))
                    return {"ok": True, "channel": channel, "ts": message["ts"]}
            return {"ok": False, "error": "message_not_found"}
        return {"ok": False, "error": "unknown_method"}
