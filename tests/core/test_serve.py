"""`sicrm serve` starts the web server, a worker and beat on the embedded default; SIGINT stops them all."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.worker


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def test_serve_runs_web_worker_and_beat_and_stops_on_ctrl_c(tmp_path: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "SICRM_VAR_DIR": str(tmp_path / "var"),
            "HEARTBEAT_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    _run(["migrate", "--noinput", "-v0"], env)
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115
    serve = subprocess.Popen(
        [sys.executable, "-m", "backend.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        health = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2) as response:
                    health = json.load(response)
                if health["worker_seen_at"]:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert health is not None, (tmp_path / "serve.log").read_text()[-3000:]
        assert health["database"] == "ok"
        assert health["worker_seen_at"], "beat never scheduled the heartbeat, or the worker never ran it"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/js-lib-bootstrap5/css/bootstrap.min.css") as r:
            assert r.status == 200
        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=40) == 0
    finally:
        if serve.poll() is None:
            serve.kill()
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert "sicrm stopped." in output
    leftovers = subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True, text=True).stdout.split()
    assert leftovers == [], f"processes left running: {leftovers}"
