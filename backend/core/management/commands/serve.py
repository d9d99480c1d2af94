"""``sicrm serve``: the web server (gunicorn + whitenoise), a Celery worker and Celery beat together, on whatever
the environment configures (the embedded default: SQLite and a filesystem broker).

It supervises them: a service that dies (crash, out of memory, ``kill -9``) is logged with the reason and
started again after a backoff (1 s, 2 s, 4 s … at most ``SERVE_BACKOFF_MAX`` seconds; back to 1 s once it has
run for ``SERVE_STABLE_SECONDS``). The web server keeps answering while the worker or beat is down. Only
Ctrl-C (SIGINT) or SIGTERM stops everything. This module starts and watches processes; it runs no task.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

# Unix socket paths longer than this do not fit in sockaddr_un on Linux (108 bytes with the final NUL).
SOCKET_PATH_MAX = 100


@dataclass
class Service:
    """One supervised process: its command, the running process, and when to start it again."""

    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0  # deaths in a row, each without a stable run in between; sets the backoff
    restart_at: float | None = None


def describe_exit(returncode: int) -> str:
    """'killed by SIGKILL' or 'exited with status 1'."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exited with status {returncode}"


def backoff_seconds(failures: int, *, start: float, maximum: float) -> float:
    """Delay before the ``failures``-th restart in a row: start, 2×start, 4×start … capped at ``maximum``."""
    return float(min(maximum, start * 2 ** max(0, failures - 1)))


def control_socket_path(host: str, port: int) -> str:
    """A gunicorn control socket of this instance's own (gunicorn's default, ~/.gunicorn/gunicorn.ctl, is shared
    by every instance of the user, so a second one takes it over and deletes it on exit)."""
    safe_host = re.sub(r"[^A-Za-z0-9.-]", "_", host)
    path = Path(settings.VAR_DIR) / "run" / f"gunicorn-{safe_host}-{port}.ctl"
    if len(str(path)) > SOCKET_PATH_MAX:
        digest = hashlib.sha1(str(path).encode()).hexdigest()[:12]
        path = Path(tempfile.gettempdir()) / f"sicrm-gunicorn-{digest}.ctl"
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


class Command(BaseCommand):
    help = "Serve sicrm: web server, background worker and scheduler, restarted when they die; Ctrl-C stops them."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("SICRM_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SICRM_PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--worker-concurrency", type=int, default=int(os.environ.get("WORKER_CONCURRENCY", "2")))
        parser.add_argument("--no-worker", action="store_true", help="Web server only (workers run elsewhere).")
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument(
            "--backoff",
            type=float,
            default=float(os.environ.get("SERVE_BACKOFF_START", "1")),
            help="Seconds before restarting a service that died; doubled for each death in a row.",
        )
        parser.add_argument(
            "--backoff-max",
            type=float,
            default=float(os.environ.get("SERVE_BACKOFF_MAX", "60")),
            help="Longest wait before a restart, in seconds.",
        )
        parser.add_argument(
            "--stable-seconds",
            type=float,
            default=float(os.environ.get("SERVE_STABLE_SECONDS", "60")),
            help="A service that ran this long before dying is restarted after the first delay again.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.opts = opts
        services = [Service(name, command) for name, command in self._commands(opts).items()]
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        for service in services:
            self._start(service)
        self.stdout.write(
            f"sicrm serving on http://{opts['host']}:{opts['port']}/ with {', '.join(s.name for s in services)}; "
            "a service that dies is restarted; Ctrl-C stops all."
        )
        try:
            while not stopping:
                now = time.monotonic()
                for service in services:
                    if service.process is not None and service.process.poll() is not None:
                        self._died(service, now)
                    elif service.process is None and service.restart_at is not None and now >= service.restart_at:
                        self._start(service)
                time.sleep(0.2)
        finally:
            self._stop_all(services)

    # --- commands ---------------------------------------------------------------------------------------------

    def _commands(self, opts: dict[str, Any]) -> dict[str, list[str]]:
        python = sys.executable
        commands = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "backend.wsgi:application",
                "--bind",
                f"{opts['host']}:{opts['port']}",
                "--workers",
                str(opts["web_workers"]),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
                "--control-socket",
                control_socket_path(opts["host"], opts["port"]),
            ],
        }
        if not opts["no_worker"]:
            commands["worker"] = [
                python,
                "-m",
                "celery",
                "-A",
                "backend",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(opts["worker_concurrency"]),
                "--hostname",
                "sicrm@%h",
            ]
            commands["beat"] = [
                python,
                "-m",
                "celery",
                "-A",
                "backend",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ]
        return commands

    # --- supervision ------------------------------------------------------------------------------------------

    def _log(self, message: str, *, error: bool = False) -> None:
        line = f"[serve {timezone.localtime():%Y-%m-%d %H:%M:%S}] {message}"
        (self.stderr if error else self.stdout).write(line)

    def _start(self, service: Service) -> None:
        # Each service leads its own process group, so its children can be found and stopped with it.
        service.process = subprocess.Popen(service.command, start_new_session=True)
        service.started_at = time.monotonic()
        service.restart_at = None
        self._log(f"{service.name} started (pid {service.process.pid})")

    def _died(self, service: Service, now: float) -> None:
        assert service.process is not None
        pid, returncode = service.process.pid, service.process.returncode
        ran = now - service.started_at
        self._reap_group(pid)  # e.g. prefork children left behind by a worker killed with SIGKILL
        service.process = None
        if ran >= self.opts["stable_seconds"]:
            service.failures = 0
        service.failures += 1
        delay = backoff_seconds(service.failures, start=self.opts["backoff"], maximum=self.opts["backoff_max"])
        service.restart_at = now + delay
        reason = describe_exit(returncode)
        self._log(
            f"{service.name} (pid {pid}) {reason} after {ran:.0f} s; restarting in {delay:g} s "
            f"(failure {service.failures} in a row)",
            error=True,
        )

    def _reap_group(self, pgid: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)

    def _stop_all(self, services: list[Service]) -> None:
        running = [s for s in services if s.process is not None and s.process.poll() is None]
        for service in running:
            assert service.process is not None
            service.process.terminate()  # the leader only: gunicorn and Celery shut their own workers down cleanly
        deadline = time.monotonic() + 15
        for service in running:
            assert service.process is not None
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._log(f"{service.name} did not stop in time; killing it.", error=True)
                self._reap_group(service.process.pid)
                service.process.wait()
        for service in services:
            if service.process is not None:
                self._reap_group(service.process.pid)
        self.stdout.write("sicrm stopped.")
