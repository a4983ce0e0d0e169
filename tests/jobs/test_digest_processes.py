"""`stockbot digest` as processes: two started together post exactly one digest; one
killed mid-digest is taken over by the next, which posts only the parts not yet in the
channel."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from bot.intake.demo_data import emg331
from bot.intake.seed import store_snapshots
from bot.jobs.digest_post import EVENT_TYPE
from storage.db import make_engine, make_session_factory
from storage.models import Digest, DigestMessage
from tests.conftest import NOW
from tests.factories import offer, product
from tests.handlers.conftest import wait_for
from tests.jobs.conftest import CHANNEL, PACE, TOKEN


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_processes_started_together_post_one_digest(db_url, slack, runtime):
    store_snapshots(runtime.sessions, [emg331(NOW)], "demo", NOW, runtime.service.rules)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": slack.api_url,
        "STOCKBOT_ALERT_CHANNEL": CHANNEL,
    }
    command = [sys.executable, "-m", "bot.cli", "digest"]
    processes = [
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    statuses = sorted(out.split(":")[0] for out, _ in outputs)
    assert statuses == ["digest sent", "digest skipped"]
    assert len(slack.requests("chat.postMessage")) == 1
    with make_session_factory(make_engine(db_url))() as session:
        digests = session.scalars(select(Digest)).all()
    assert [(d.status, d.slot) for d in digests] == [("sent", "daily")]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_kill_9_mid_digest_then_stockbot_digest_posts_the_rest_once(db_url, slack, runtime):
    store_snapshots(
        runtime.sessions,
        [product(offer("main", 30, 3), offer("fbe", 2, 3), sku=f"K{i:03d}") for i in range(300)],
        "demo",
        NOW,
        runtime.service.rules,
    )
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": slack.api_url,
        "STOCKBOT_ALERT_CHANNEL": CHANNEL,
        "STOCKBOT_SLACK_POSTS_PER_SECOND": str(PACE),
    }
    command = [sys.executable, "-m", "bot.cli", "digest"]
    # The third post arrives, its answer is held back, and the process dies meanwhile.
    slack.slow("chat.postMessage", seconds=5, after=2)
    doomed = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for(lambda: len(slack.messages(CHANNEL)) >= 3 or doomed.poll() is not None, timeout=60)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    killed_at = time.monotonic()
    slack.clear_failures()

    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)

    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith("digest sent")
    assert time.monotonic() - killed_at < 300  # within 5 minutes of the kill
    with make_session_factory(make_engine(db_url))() as session:
        planned = session.scalars(select(DigestMessage)).all()
    messages = slack.messages(CHANNEL)
    parts = [m for m in messages if m.get("metadata", {}).get("event_type") == EVENT_TYPE]
    # On a Monday (the subprocesses run on the real clock) the trend chart follows.
    assert [m["files"][0]["name"] for m in messages if m not in parts] in ([], ["stock-trend.png"])
    posted = [m["metadata"]["event_payload"]["part"] for m in parts]
    assert sorted(posted) == list(range(len(planned))) and len(planned) > 3
    assert {m.ts for m in planned} == {m["ts"] for m in parts}
    # The part in flight at the kill was found in the thread, not sent a second time.
    assert len(slack.requests("chat.postMessage")) == len(planned)
    assert slack.requests("conversations.replies")
