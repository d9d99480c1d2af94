"""``sicrm serve``: the web server (gunicorn + whitenoise), a Celery worker and Celery beat together,
on whatever the environment configures (the embedded default: SQLite and a filesystem broker).
Ctrl-C (or SIGTERM) stops all of them; if one dies, the others are stopped too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve sicrm: web server, background worker and scheduler; Ctrl-C stops them all."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("SICRM_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SICRM_PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--worker-concurrency", type=int, default=int(os.environ.get("WORKER_CONCURRENCY", "2")))
        parser.add_argument("--no-worker", action="store_true", help="Web server only (workers run elsewhere).")
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
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
        children: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        for name, command in commands.items():
            children[name] = subprocess.Popen(command, start_new_session=True)
        self.stdout.write(
            f"sicrm serving on http://{opts['host']}:{opts['port']}/ with "
            f"{', '.join(children)} (pids {', '.join(str(c.pid) for c in children.values())}); "
            "Ctrl-C stops all."
        )
        exit_code = 0
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with status {child.returncode}; stopping the others.")
                        exit_code = child.returncode or 1
                        stopping = True
                        break
                time.sleep(0.3)
        finally:
            self._stop_all(children)
        if exit_code:
            sys.exit(exit_code)

    def _stop_all(self, children: dict[str, subprocess.Popen]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.terminate()  # the leader only: gunicorn and Celery shut their own workers down cleanly
        deadline = time.monotonic() + 15
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it.")
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self.stdout.write("sicrm stopped.")
