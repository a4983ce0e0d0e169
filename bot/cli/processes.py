"""The long-running commands: `stockbot worker` (the scheduler) and `stockbot serve` (the
web process, or Socket Mode), which with `--with-worker` runs the scheduler too, so one
process does both (what SQLite, with its one write lock, is for)."""

from __future__ import annotations

import argparse
import socket
from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from slack_sdk.errors import SlackApiError

from bot.emag.client import clients_from_settings
from bot.errors import StockbotError
from bot.i18n import _, counted
from bot.jobs import worker as jobs
from bot.jobs.scheduler import RESUME_JOB, add_once, build_scheduler
from bot.runtime import Runtime, configure_logging
from bot.settings import ConfigError
from bot.slack_client import make_web_client


def scheduler_for(runtime: Runtime, blocking: bool = True) -> BaseScheduler:
    """The digest and sync jobs that are configured, or ConfigError saying what is not."""
    settings = runtime.settings
    scheduled: dict[str, Callable[[], None]] = {}
    # Fail at start, not at the first 09:07, when a job is half configured.
    if settings.slack_bot_token or settings.alert_channel:
        make_web_client(settings)
        if not settings.alert_channel:
            raise ConfigError("STOCKBOT_ALERT_CHANNEL is not set")
        scheduled["digest_job"] = lambda: jobs.digest_job(runtime)
        scheduled["plan_job"] = lambda: jobs.plan_job(runtime)
    if settings.emag_main_username or settings.emag_fbe_username:
        clients_from_settings(settings)
        scheduled["sync_job"] = lambda: jobs.sync_job(runtime)
    if not scheduled:
        raise ConfigError(
            _(
                "nothing to schedule: set SLACK_BOT_TOKEN and STOCKBOT_ALERT_CHANNEL (digest) "
                "and/or EMAG_MAIN_* and EMAG_FBE_* (sync)"
            )
        )
    scheduler = build_scheduler(settings, blocking=blocking, **scheduled)
    if "digest_job" in scheduled:
        # A digest a dead worker left half posted: taken over once its claim has lapsed.
        lapsed = timedelta(seconds=settings.digest_lease_seconds + 5)
        add_once(scheduler, RESUME_JOB, lapsed, lambda: jobs.resume_digest_job(runtime))
    for job in scheduler.get_jobs():
        jobs.log.info("%s: %s (%s)", job.id, job.trigger, settings.timezone)
    return scheduler


def _port_free(host: str, port: int) -> None:
    """One line now rather than uvicorn's error later: the port is taken."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise StockbotError(
                _(
                    "cannot listen on {address}: {why} (is stockbot already running? use --port)"
                ).format(address=f"{host}:{port}", why=exc.strerror)
            ) from None


def cmd_worker(args: argparse.Namespace, runtime: Runtime) -> None:
    configure_logging()
    scheduler_for(runtime).start()


def cmd_serve(args: argparse.Namespace, runtime: Runtime) -> None:
    from bot.app import create_app  # Slack and the web server only load for `serve`

    settings = runtime.settings
    configure_logging()
    if args.with_worker and args.workers != 1:
        raise ConfigError("--with-worker runs the scheduler once: use it with --workers 1")
    scheduler = scheduler_for(runtime, blocking=False) if args.with_worker else None
    if args.socket:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        app = create_app(settings, runtime=runtime, socket_mode=True, answer_process=True)
        token = settings.slack_app_token.get_secret_value()  # type: ignore[union-attr]
        try:
            # Asked once up front, so a refused token is one line, not a logged retry.
            app.client.apps_connections_open(app_token=token)
        except SlackApiError as exc:
            reason = exc.response.get("error", "refused")
            message = _("SLACK_APP_TOKEN was refused by Slack: {why}").format(why=reason)
            raise ConfigError(message) from None
        print("stockbot: " + _("Socket Mode, connecting to Slack"), flush=True)
        if scheduler:
            scheduler.start()
        SocketModeHandler(app, token).start()
        return
    import uvicorn

    from bot.web.app import create_web_app, slack_off_reason, tune_gc_for_serving

    # Checked here, once, so a bad setting fails with one line before any worker starts.
    _port_free(args.host, args.port)
    off = slack_off_reason(settings)
    slack_app = None if off else create_app(settings, runtime=runtime, answer_process=True)
    web = create_web_app(runtime, slack_app, off)
    if off:
        print(
            "stockbot: " + _("{why}; serving the REST API and the dashboard").format(why=off),
            flush=True,
        )
    routes = "GET /dashboard, /api/v1" if off else "POST /slack/events"
    print(
        "stockbot: "
        + _("listening on {url} ({routes}, GET /healthz)").format(
            url=f"http://{args.host}:{args.port}", routes=routes
        )
        + ", "
        + counted(args.workers, "{n} worker", "{n} workers")
        + (", " + _("with the worker's scheduler") if scheduler else ""),
        flush=True,
    )
    if args.workers == 1:
        tune_gc_for_serving()
        if scheduler:
            scheduler.start()
        uvicorn.run(web, host=args.host, port=args.port, log_level="warning")
        return
    uvicorn.run(
        "bot.web.app:app_from_environment",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        log_level="warning",
    )
