"""The code type-checks: mypy with django-stubs and the DRF plugin, as configured in pyproject.toml
(``check_untyped_defs``, no blanket ``ignore_missing_imports``), finds no error in the four packages.

A second run checks a deliberately wrong snippet with the same configuration, so a checker that is not really
running (or runs without ``check_untyped_defs``, the Django plugin or the list of untyped modules) fails here
rather than passing in silence. Both runs share a cache in the var folder: the second is quick, and so is the
next test session (mypy re-checks what changed, and everything when the configuration changes)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from django.conf import settings

from tests.conftest import ROOT

pytestmark = pytest.mark.embedded  # mypy: no database

PACKAGES = ["backend", "workflows", "reports", "bench"]

# Each line marked ``# expect: code`` must be reported with that code, on that line.
WRONG = """\
from django.http import HttpRequest

import not_a_module_anyone_installed  # expect: import-not-found
from backend.accounts.models import User


def untyped():
    count: int = "three"  # expect: assignment
    return count


def needs_user(user: User) -> str:
    return user.username


def view(request: HttpRequest) -> str:
    return needs_user(request.user)  # expect: arg-type
"""


def _mypy(*targets: str) -> subprocess.CompletedProcess[str]:
    cache = settings.VAR_DIR / "mypy-cache"
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache)]
        + [*targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


@pytest.mark.timeout(900)
def test_mypy_finds_no_error():
    run = _mypy(*PACKAGES)
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    assert run.returncode == 0 and not errors, "\n".join(errors) or run.stdout[-4000:] + run.stderr[-4000:]
    assert run.stdout.startswith("Success: no issues found"), run.stdout

    snippet = settings.VAR_DIR / "mypy-snippet" / "wrong_on_purpose.py"
    snippet.parent.mkdir(exist_ok=True)
    snippet.write_text(WRONG)
    expected = {
        (number, line.rsplit("# expect: ", 1)[1])
        for number, line in enumerate(WRONG.splitlines(), start=1)
        if "# expect: " in line
    }
    assert len(expected) == 3
    checked = _mypy(str(snippet))
    # by file name: an unchanged module's errors come back from the cache under the path it was first seen at
    reported = {
        (int(match[1]), match[2])
        for match in re.finditer(r"wrong_on_purpose\.py:(\d+): error: .*\[([\w-]+)\]$", checked.stdout, re.M)
    }
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert reported == expected, checked.stdout
