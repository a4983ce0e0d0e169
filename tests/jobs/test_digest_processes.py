"""Two `stockbot digest` processes started together post exactly one digest."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.intake.demo_data import emg331
from bot.intake.seed import store_snapshots
from storage.db import make_engine, make_session_factory
from storage.models import Digest
from tests.conftest import NOW
from tests.jobs.conftest import CHANNEL, TOKEN


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
