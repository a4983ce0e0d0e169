"""Start the playground: the Slack stand-in, the real web process (`create_app` +
`create_web_app`, POST /slack/events with real request signing) on loopback, and the
playground page on `host:port` (127.0.0.1 unless told otherwise).

`python -m bot.playground.run [--host H] [--port N] [--products N]` seeds the demo data
and serves, as `stockbot demo --serve` does.
"""

from __future__ import annotations

import argparse
import dataclasses
import secrets
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType
from typing import Any

from pydantic import SecretStr

from bot.errors import StockbotError
from bot.runtime import Runtime

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000
LOOPBACK = "127.0.0.1"


class _Served:
    """A uvicorn server in a daemon thread, on a socket bound before it starts (so the
    port is known, and a port in use fails here with one clear line)."""

    def __init__(self, app: Any, sock: socket.socket) -> None:
        import uvicorn  # only the serving commands load the web server

        self.sock = sock
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise StockbotError("the playground's web server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self.sock.close()


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        raise StockbotError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def _url(host: str, port: int) -> str:
    # A wildcard address is where to listen, not where to browse.
    shown = LOOPBACK if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


class Playground:
    """`with Playground(runtime) as playground:` serves until the block ends;
    `playground.url` is the page. The runtime's Slack settings are replaced by the
    stand-in's (a fresh token and signing secret each run); its database is kept."""

    def __init__(
        self, runtime: Runtime, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
    ) -> None:
        self.host = host
        self.port = port
        self.source_runtime = runtime
        self._stack: list[Any] = []

    def __enter__(self) -> Playground:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start(self) -> None:
        from bot.app import create_app
        from bot.playground.server import ALERT_CHANNEL, create_playground_app
        from bot.slack_standin import SlackStandin
        from bot.slack_standin.requests import SlackSender
        from bot.web.app import create_web_app

        # The page first: a port in use fails before anything else is started.
        page_socket = _bind(self.host, self.port)
        self._stack.append(page_socket)
        token = f"xoxb-playground-{secrets.token_hex(8)}"
        secret = secrets.token_hex(16)
        self.standin = SlackStandin(token=token, host=LOOPBACK).start()
        self._stack.append(self.standin)
        settings = self.source_runtime.settings.model_copy(
            update={
                "slack_bot_token": SecretStr(token),
                "slack_signing_secret": SecretStr(secret),
                "slack_app_token": None,
                "slack_api_url": self.standin.api_url,
                "alert_channel": ALERT_CHANNEL,
                # The playground's channels are its own; a list of real channel ids
                # would refuse every command typed in the page.
                "allowed_channels": [],
            }
        )
        self.runtime = dataclasses.replace(self.source_runtime, settings=settings)
        bot_web = create_web_app(self.runtime, create_app(settings, runtime=self.runtime))
        # The real web process stays on loopback whatever --host says: only the page
        # is meant to be reachable.
        bot = _Served(bot_web, _bind(LOOPBACK, 0))
        self._stack.append(bot)
        bot.start()
        self.bot_url = f"http://{LOOPBACK}:{bot.port}"
        self.sender = SlackSender(self.bot_url, secret, self.standin)
        self._stack.append(self.sender)
        page = _Served(create_playground_app(self.runtime, self.standin, self.sender), page_socket)
        self._stack.append(page)
        page.start()
        self.port = page.port
        self.url = _url(self.host, self.port)

    def stop(self) -> None:
        while self._stack:
            part = self._stack.pop()
            if isinstance(part, socket.socket):
                part.close()
            elif hasattr(part, "stop"):
                part.stop()
            else:
                part.close()


def listening_line(host: str, port: int) -> str:
    """What the playground says about who can reach it."""
    if host in ("127.0.0.1", "localhost", "::1"):
        return f"listening on {host}:{port} only (this machine); --host to change"
    return (
        f"listening on {host}:{port}: anyone who can reach this machine can use the "
        "playground (demo data only, no Slack workspace involved)"
    )


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve_playground(runtime: Runtime, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the playground until Ctrl-C (or SIGTERM); prints the URL to open."""
    with Playground(runtime, host, port) as playground:
        print(f"stockbot playground: open {playground.url}", flush=True)
        print(f"stockbot playground: {listening_line(host, playground.port)}", flush=True)
        print(
            f"stockbot playground: the bot's /slack/events is at {playground.bot_url}, "
            f"fake Slack at {playground.standin.base_url} (Ctrl-C to stop)",
            flush=True,
        )
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _stop_on_sigterm)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stockbot playground: stopped", flush=True)


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """--host and --port as `stockbot demo --serve` takes them."""
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"interface for --serve (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port for --serve (default {DEFAULT_PORT})"
    )


def build_parser() -> argparse.ArgumentParser:
    from bot.intake.seed import DEMO_PRODUCTS

    parser = argparse.ArgumentParser(
        prog="python -m bot.playground.run",
        description="Seed the demo data and serve the local Slack playground.",
    )
    add_serve_arguments(parser)
    parser.add_argument("--products", type=int, default=DEMO_PRODUCTS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Seed the demo data (DATABASE_URL, SQLite by default) and serve the playground."""
    from bot.clock import utcnow
    from bot.intake.seed import seed_demo
    from bot.runtime import build_runtime
    from bot.settings import ConfigError, load_settings

    args = build_parser().parse_args(argv)
    try:
        runtime = build_runtime(load_settings())
        seed_demo(runtime.sessions, utcnow(), runtime.service.rules, args.products)
        where = runtime.engine.url.render_as_string(hide_password=True)
        print(f"stockbot playground: demo data in {where}", flush=True)
        serve_playground(runtime, args.host, args.port)
    except (StockbotError, ConfigError) as exc:
        print(f"stockbot: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
