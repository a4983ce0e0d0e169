"""`stockbot`: the command line. The arguments are in parser.py, one handler per
subcommand in commands.py.

Errors are one line on stderr with exit status 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
from collections.abc import Sequence

from bot import formats
from bot.cli.parser import UsageError, build_parser
from bot.errors import StockbotError
from bot.i18n import _, error_text
from bot.rules_file import RulesFileError

DEMO_DATABASE = "sqlite:///./stockbot-demo.db"


def main(argv: Sequence[str] | None = None) -> int:
    args = None
    try:
        formats.activate_from_environment()
        args = build_parser().parse_args(argv)
        if args.command not in ("serve", "worker"):
            # A one-off command says what happened in its own output; its retries and
            # warnings are for --debug (the long-running ones log as services do).
            logging.basicConfig(
                level=logging.DEBUG if args.debug else logging.ERROR, format="%(name)s %(message)s"
            )
        # The demo has a file of its own: it must never land in a real catalogue.
        demo = getattr(args, "demo_data", False) and "DATABASE_URL" not in os.environ
        # What a command begins before its settings and database load (the import's
        # reading, in a process of its own), done when the command is.
        early = getattr(args, "before_runtime", None)
        with early(args) if early else contextlib.nullcontext():
            # Settings, the database and the service load after parsing: `--help` and a
            # wrong command line need none of them.
            from bot.runtime import build_runtime
            from bot.settings import load_settings

            settings = load_settings(**({"database_url": DEMO_DATABASE} if demo else {}))
            if getattr(args, "needs_runtime", True):
                args.handler(args, build_runtime(settings))
            else:
                args.handler(args, settings)
    except (UsageError, RulesFileError) as exc:
        # A wrong rules file is the command's input being wrong, like its arguments.
        print(f"stockbot: usage: {exc}", file=sys.stderr)
        return 2
    except StockbotError as exc:
        print(f"stockbot: error: {error_text(exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1
    except KeyboardInterrupt:
        print("stockbot: " + _("interrupted"), file=sys.stderr)
        return 130
    except Exception as exc:
        return _failed(args, exc)
    return 0


def _failed(args: argparse.Namespace | None, exc: Exception) -> int:
    """A bad setting or database trouble is one line and exit 1; anything else unexpected."""
    # Imported only on failure, as main() loads them only once the arguments are parsed.
    from sqlalchemy.exc import SQLAlchemyError

    from bot.database_errors import database_trouble
    from bot.settings import ConfigError

    if isinstance(exc, ConfigError):
        print(f"stockbot: error: {error_text(exc)}", file=sys.stderr)
        return 1
    if isinstance(exc, SQLAlchemyError):
        trouble = database_trouble(exc)
        if trouble is None:
            return _unexpected(args, exc)
        print(f"stockbot: error: {_(trouble[1])}", file=sys.stderr)
        return 1
    return _unexpected(args, exc)


def _unexpected(args: argparse.Namespace | None, exc: Exception) -> int:
    """Not an expected failure: still one line, and the way to see more."""
    if getattr(args, "debug", False):
        raise exc
    said = str(exc).splitlines()[0][:300] if str(exc) else ""
    what = type(exc).__name__ + (": " + said if said else "")
    print(f"stockbot: error: {what} " + _("(run with --debug for the traceback)"), file=sys.stderr)
    return 1


def run() -> None:
    """The console script: main(), then an exit that leaves the heap to the system.

    The interpreter's teardown would pass its collector over every object (~0.2 s after
    an import of 100k rows); frozen, they are left alone. What needs closing is closed
    first: the databases (SQLite's last close checkpoints the write-ahead log and
    removes it; a connection left in a cycle would never close). Our files close in
    with blocks, and the standard streams are flushed by the interpreter still."""
    code = main()
    if "storage.db" in sys.modules:
        from storage.db import dispose_engines

        dispose_engines()
    gc.freeze()
    raise SystemExit(code)


if __name__ == "__main__":
    run()
