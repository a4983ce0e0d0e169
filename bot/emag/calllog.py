"""The log of every eMAG call and its answer, kept 30 days, as eMAG's support asks sellers
to keep (emag-api.md, Endpoints and auth).

One JSON line per attempt on the `stockbot.emag.calls` logger: when, which account, the
method, path and request body, the status, the time taken and the answer (cut at
`MAX_ANSWER` characters, its full size said). Credentials never reach it: the Basic-auth
header is not logged and accounts are named MAIN/FBE, not by login. `configure_call_log`
sends the lines to a file rotated at midnight, 30 files kept; without it they go nowhere.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import time
from pathlib import Path
from typing import Any

CALLS = logging.getLogger("stockbot.emag.calls")
CALLS.propagate = False  # not on the console: it is a record, not a message
KEEP_DAYS = 30
MAX_ANSWER = 4000


def configure_call_log(path: str | Path, keep_days: int = KEEP_DAYS) -> logging.Handler:
    """Write the call log to `path` (rotated daily, `keep_days` kept); idempotent."""
    target = str(Path(path).resolve())
    for handler in CALLS.handlers:
        if getattr(handler, "baseFilename", None) == target:
            return handler
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.TimedRotatingFileHandler(
        target, when="midnight", backupCount=keep_days, encoding="utf-8", utc=True
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    CALLS.addHandler(handler)
    CALLS.setLevel(logging.INFO)
    return handler


def log_call(
    account: str,
    method: str,
    path: str,
    request: Any,
    status: int | None,
    seconds: float,
    answer: str | None,
) -> None:
    """One call's line (status None: no answer, `answer` then says why)."""
    if not CALLS.handlers:
        return
    text = answer or ""
    CALLS.info(
        json.dumps(
            {
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "account": account.upper(),
                "method": method,
                "path": path,
                "request": request,
                "status": status,
                "ms": round(seconds * 1000, 1),
                "answer": text[:MAX_ANSWER],
                "answer_chars": len(text),
            },
            default=str,
            ensure_ascii=False,
        )
    )
