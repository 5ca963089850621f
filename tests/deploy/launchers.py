"""Throwaway back-ends for the deployment tests: PostgreSQL and the compose NATS cluster."""

from __future__ import annotations

import functools
import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Collection, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, free_port, nats_server_binary, run_until_listening

NATS_NODES = ("nats-1", "nats-2", "nats-3")


# ---------------------------------------------------------------- PostgreSQL


def _pg_bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _as_postgres(cmd: list[str]) -> list[str]:
    # The server refuses to run as root: run it as the postgres OS user when we are root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _initdb(bindir: Path, root: Path, superuser_password: str) -> Path:
    pwfile = root / "pw"
    pwfile.write_text(superuser_password)
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        for path in (root, pwfile):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    data = root / "data"
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", f"--pwfile={pwfile}"]
    initdb += ["--auth-host=scram-sha-256", "--auth-local=trust"]
    subprocess.run(_as_postgres(initdb), check=True, capture_output=True, timeout=120)
    return data


@contextmanager
def postgres_cluster(superuser_password: str) -> Iterator[int]:
    """A fresh PostgreSQL on a free loopback port (user postgres); yields the port."""
    bindir = _pg_bindir()
    if bindir is None or shutil.which("psql") is None:
        pytest.skip("PostgreSQL server binaries or psql not installed")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user")
    # Not pytest's tmp_path: its parent is private to root and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="concierge-pg-"))
    ctl: list[str] = []
    try:
        data, port = _initdb(bindir, root, superuser_password), free_port()
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log")]
        subprocess.run(_as_postgres([*ctl, "-o", options, "-w", "start"]), check=True, timeout=60)
        yield port
    finally:
        if ctl:
            subprocess.run(_as_postgres([*ctl, "-m", "immediate", "stop"]), timeout=60)
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------- NATS cluster


@dataclass
class Node:
    name: str
    client: int
    monitor: int
    process: subprocess.Popen | None = None
    launch: Callable[[], None] | None = None  # a held node: starts it (stopped with the rest)


def _rewrite(text: str, node: Node, cluster_ports: dict[str, int], store: Path) -> str:
    replacements = [
        (r"listen: 0\.0\.0\.0:4222", f"listen: 127.0.0.1:{node.client}"),
        (r"http: 0\.0\.0\.0:8222", f"http: 127.0.0.1:{node.monitor}"),
        (r"store_dir: /data/jetstream", f'store_dir: "{store}"'),
        (r"listen: 0\.0\.0\.0:6222", f"listen: 127.0.0.1:{cluster_ports[node.name]}"),
    ]
    for pattern, new in replacements:
        text, count = re.subn(pattern, new, text)
        assert count == 1, f"{node.name}.conf no longer has exactly one {pattern!r}"
    return re.sub(
        r"nats-route://(nats-\d):6222",
        lambda m: f"nats-route://127.0.0.1:{cluster_ports[m.group(1)]}",
        text,
    )


@contextmanager
def compose_nats_cluster(
    workdir: Path, env: dict[str, str], held: Collection[str] = ()
) -> Iterator[dict[str, Node]]:
    """deploy/nats/nats-{1,2,3}.conf as they are, but on free loopback ports and a temp store.
    Nodes named in `held` are configured but not started: `node.launch()` starts one later."""
    shutil.copy(DEPLOY / "nats" / "accounts.conf", workdir / "accounts.conf")
    cluster_ports = {name: free_port() for name in NATS_NODES}
    nodes = {name: Node(name, free_port(), free_port()) for name in NATS_NODES}
    with ExitStack() as stack:

        def launch(node: Node) -> None:
            cmd = [nats_server_binary(), "-c", str(workdir / f"{node.name}.conf")]
            log = workdir / f"{node.name}.log"
            node.process = stack.enter_context(
                run_until_listening(cmd, node.client, log, cwd=workdir, env=env)
            )
            node.launch = None

        for name, node in nodes.items():
            text = (DEPLOY / "nats" / f"{name}.conf").read_text()
            config = workdir / f"{name}.conf"
            config.write_text(_rewrite(text, node, cluster_ports, workdir / name / "js"))
            if name in held:
                node.launch = functools.partial(launch, node)
            else:
                launch(node)
        yield nodes
