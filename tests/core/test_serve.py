"""`sicrm serve` starts the web server, a worker and beat on the embedded default and supervises them: a worker
or beat killed with SIGKILL comes back while the web keeps answering; SIGINT stops them all. Each gunicorn
instance keeps a control socket of its own."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.worker, pytest.mark.embedded]  # sicrm serve on the embedded default, DATABASE_URL unset


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "SICRM_VAR_DIR": str(tmp_path / "var"),
            "HEARTBEAT_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _run(args, env):
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One installation migrated and with its static files collected, which each test copies: what ``serve``
    does is under test, not ``migrate``, which would otherwise run once per test."""
    base = tmp_path_factory.mktemp("installed")
    env = _env(base)
    _run(["migrate", "--noinput", "-v0"], env)
    _run(["collectstatic", "--noinput", "-v0"], env)
    return base / "var"


@pytest.fixture(autouse=True)
def _installation(installed: Path, tmp_path: Path) -> None:
    shutil.copytree(installed, tmp_path / "var", ignore=shutil.ignore_patterns("run", "broker"))


@contextmanager
def _serving(tmp_path: Path, port: int, *args: str, name: str = "serve"):
    env = _env(tmp_path)
    log_path = tmp_path / f"{name}.log"
    log = open(log_path, "w")  # noqa: SIM115
    serve = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "serve", "--port", str(port), "--web-workers", "1", *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield serve, log_path
    finally:
        if serve.poll() is None:
            serve.send_signal(signal.SIGINT)
            try:
                serve.wait(timeout=40)
            except subprocess.TimeoutExpired:
                serve.kill()
        log.close()


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2) as response:
            return json.load(response)
    except OSError:
        return None


def _wait(predicate, *, timeout: float, log_path: Path, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen in {timeout} s:\n{log_path.read_text()[-4000:]}")


def _started(log_path: Path, service: str) -> list[int]:
    return [int(pid) for pid in re.findall(rf"\] {service} started \(pid (\d+)\)", log_path.read_text())]


def _seen_at(port: int) -> datetime | None:
    health = _health(port)
    return datetime.fromisoformat(health["worker_seen_at"]) if health and health["worker_seen_at"] else None


def test_serve_runs_web_worker_and_beat_and_stops_on_ctrl_c(tmp_path: Path):
    port = _free_port()
    with _serving(tmp_path, port) as (serve, log_path):
        health = _wait(lambda: _health(port), timeout=90, log_path=log_path, what="the web answering")
        _wait(lambda: _seen_at(port), timeout=90, log_path=log_path, what="a heartbeat")
        health = _health(port)
        assert health["database"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/js-lib-bootstrap5/css/bootstrap.min.css") as r:
            assert r.status == 200
        # its own gunicorn control socket, under var/run and named after the address it serves
        assert (tmp_path / "var" / "run" / f"gunicorn-127.0.0.1-{port}.ctl").is_socket()
        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=40) == 0
    output = log_path.read_text()
    assert "sicrm stopped." in output
    assert "restarting" not in output
    leftovers = subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True, text=True).stdout.split()
    assert leftovers == [], f"processes left running: {leftovers}"


def test_a_killed_worker_and_beat_come_back_while_the_web_keeps_answering(tmp_path: Path):
    port = _free_port()
    with _serving(tmp_path, port, "--backoff", "0.5", "--worker-concurrency", "1") as (serve, log_path):
        # given everything up, and a heartbeat proving beat and the worker work
        _wait(lambda: _seen_at(port), timeout=90, log_path=log_path, what="a first heartbeat")
        [worker_pid] = _started(log_path, "worker")
        [beat_pid] = _started(log_path, "beat")
        worker_group = subprocess.run(["pgrep", "-g", str(worker_pid)], capture_output=True, text=True).stdout.split()
        assert len(worker_group) >= 2, "the worker runs a prefork child besides its leader"

        # when the worker and beat are killed outright
        killed_at = datetime.now().astimezone()
        os.kill(worker_pid, signal.SIGKILL)
        os.kill(beat_pid, signal.SIGKILL)

        # then the web answers every request while they are down and restarting,
        answers, failures = 0, 0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            health = _health(port)
            if health is None:
                failures += 1
            else:
                answers += 1
                seen = health["worker_seen_at"]
                if len(_started(log_path, "worker")) == 2 and seen and datetime.fromisoformat(seen) > killed_at:
                    break
            time.sleep(0.2)
        else:
            raise AssertionError(f"no heartbeat after the restart:\n{log_path.read_text()[-4000:]}")
        assert failures == 0 and answers >= 3
        # both came back as new processes, and serve logged why they had gone
        assert serve.poll() is None
        assert _started(log_path, "worker")[-1] != worker_pid
        assert _started(log_path, "beat")[-1] != beat_pid
        output = log_path.read_text()
        assert f"worker (pid {worker_pid}) killed by SIGKILL" in output
        assert f"beat (pid {beat_pid}) killed by SIGKILL" in output
        assert "restarting in 0.5 s (failure 1 in a row)" in output
        # the dead worker's prefork children did not linger (they are reaped within moments on a busy machine)
        _wait(
            lambda: subprocess.run(["pgrep", "-g", str(worker_pid)], capture_output=True, text=True).stdout == "",
            timeout=15,
            log_path=log_path,
            what="the dead worker's prefork children going",
        )
        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=40) == 0


def test_two_instances_keep_their_own_control_sockets(tmp_path: Path):
    first, second = _free_port(), _free_port()
    gunicornc = Path(sys.executable).parent / "gunicornc"
    with _serving(tmp_path, first, "--no-worker", name="first") as (serve_first, first_log):
        _wait(lambda: _health(first), timeout=90, log_path=first_log, what="the first instance answering")
        with _serving(tmp_path, second, "--no-worker", "--no-collectstatic", name="second") as (serve_second, log):
            _wait(lambda: _health(second), timeout=90, log_path=log, what="the second instance answering")
            sockets = sorted(p.name for p in (tmp_path / "var" / "run").iterdir())
            assert sockets == sorted([f"gunicorn-127.0.0.1-{first}.ctl", f"gunicorn-127.0.0.1-{second}.ctl"])
            serve_second.send_signal(signal.SIGINT)
            assert serve_second.wait(timeout=40) == 0
        # the second one's exit left the first one's socket in place, and it still answers for the first
        socket = tmp_path / "var" / "run" / f"gunicorn-127.0.0.1-{first}.ctl"
        assert socket.is_socket()
        assert not (tmp_path / "var" / "run" / f"gunicorn-127.0.0.1-{second}.ctl").exists()
        status = subprocess.run(
            [str(gunicornc), "-s", str(socket), "-c", "show workers", "-j"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert status.returncode == 0, status.stderr
        workers = json.loads(status.stdout)
        assert len(workers["workers"]) == 1
