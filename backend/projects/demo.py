"""Demo projects (filled in by the presales demo)."""

from __future__ import annotations

from collections.abc import Callable


def load(*, password: str, log: Callable[[str], None]) -> None:
    log("projects: none yet")
