"""A throwaway PostgreSQL cluster for the tests, from the server binaries on the machine.

`initdb` refuses to run as root, so under root the cluster belongs to the `postgres`
user (through `runuser`), in a temporary directory it owns, on a free loopback port.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass


class ClusterUnavailable(RuntimeError):
    """No PostgreSQL server binaries here, or the cluster would not start."""


def _bindir() -> str:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.insert(0, on_path)
    if not candidates:
        raise ClusterUnavailable("no initdb found (install postgresql-15)")
    return os.path.dirname(candidates[0])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    directory: str
    port: int
    bindir: str
    as_postgres: bool

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        return subprocess.run(
            [*prefix, *command], capture_output=True, text=True, timeout=60, check=False
        )

    def stop(self) -> None:
        self.run(os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)

    @property
    def data(self) -> str:
        return os.path.join(self.directory, "data")


def start_cluster() -> Cluster:
    """initdb + pg_ctl start on a free port; raises ClusterUnavailable with the reason."""
    bindir = _bindir()
    directory = tempfile.mkdtemp(prefix="stockbot-pg-")
    as_postgres = os.geteuid() == 0
    if as_postgres:
        shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(directory, _free_port(), bindir, as_postgres)
    steps = [
        [
            os.path.join(bindir, "initdb"),
            "-D", cluster.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync",
        ],
        [
            os.path.join(bindir, "pg_ctl"), "-D", cluster.data, "-w", "-t", "30",
            "-l", os.path.join(directory, "server.log"),
            "-o", f"-p {cluster.port} -k {directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "start",
        ],
    ]  # fmt: skip
    for step in steps:
        result = cluster.run(*step)
        if result.returncode != 0:
            shutil.rmtree(directory, ignore_errors=True)
            raise ClusterUnavailable(
                f"{os.path.basename(step[0])} failed: {(result.stderr or result.stdout).strip()}"
            )
    return cluster
