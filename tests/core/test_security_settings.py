"""Production settings: a Content-Security-Policy with no inline script (and no template that would need one),
HSTS, SSL redirect and secure cookies switched on by the environment, and `check --deploy` silent then."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def _templates() -> list[Path]:
    found = [p for folder in ("backend", "workflows", "reports") for p in (ROOT / folder).rglob("templates/**/*.html")]
    assert len(found) > 50
    return found


def test_no_template_has_an_inline_script_or_an_event_handler_attribute():
    offenders = []
    for path in _templates():
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JS_URL):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)[:60]}")
    assert offenders == []


def test_the_scan_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert EVENT_HANDLER.search('<select onchange="this.form.submit()">')
    assert JS_URL.search('<a href="javascript:void(0)">')


def test_pages_carry_a_policy_without_inline_scripts(client, make_user):
    client.force_login(make_user("viewer", "bid_manager"))
    for url in ("/", "/login/", "/projects/board/", "/api/docs/", "/admin/login/"):
        response = client.get(url, follow=True)
        policy = response.headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'", url
        assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'", url
        assert directives["frame-ancestors"] == "'none'", url
        body = response.content.decode()
        assert not INLINE_SCRIPT.search(body), f"{url} has an inline script"
        assert not EVENT_HANDLER.search(body), f"{url} has an event handler attribute"


def test_swagger_ui_starts_from_a_script_file(client, make_user):
    client.force_login(make_user("viewer", "bid_manager"))
    page = client.get("/api/docs/").content.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert any("script" in src and src.startswith("/api/docs/") for src in scripts), scripts
    start = client.get(next(src for src in scripts if src.startswith("/api/docs/")))
    assert start.status_code == 200 and "SwaggerUIBundle" in start.content.decode()


def _settings_under(env_extra: dict[str, str], *code: str) -> subprocess.CompletedProcess:
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment would not)
    unset = (
        "SECURE_",
        "SESSION_",
        "CSRF_",
        "SICRM_HTTPS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DATABASE_URL",
        "CELERY_BROKER",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    env.update({"DJANGO_SETTINGS_MODULE": "backend.settings", **env_extra})
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "SICRM_HTTPS": "true",
    "SECRET_KEY": "x7Qp!v3Lr9#tB2mZk8@wF5yH1nJ6cD4sG0aE-uR" * 2,
    "ALLOWED_HOSTS": "crm.example.com",
    "DEBUG": "false",
}


@pytest.mark.embedded  # a subprocess on the embedded default: DATABASE_URL is unset for it
def test_check_deploy_reports_nothing_in_production_mode(tmp_path):
    result = _settings_under(
        {**PRODUCTION, "SICRM_VAR_DIR": str(tmp_path)}, "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.embedded  # a subprocess on the embedded default: DATABASE_URL is unset for it
def test_check_deploy_names_what_is_missing_without_https(tmp_path):
    env = {**PRODUCTION, "SICRM_HTTPS": "false", "SICRM_VAR_DIR": str(tmp_path)}
    result = _settings_under(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in result.stderr + result.stdout


@pytest.mark.embedded  # a subprocess on the embedded default: DATABASE_URL is unset for it
def test_https_mode_sends_hsts_and_redirects_plain_http(tmp_path):
    script = (
        "from django.test import Client;"
        "c = Client();"
        "r = c.get('/api/v1/customers/', secure=False); print('plain', r.status_code, r.headers.get('Location'));"
        "r = c.get('/api/v1/customers/', secure=True); print('hsts', r.headers.get('Strict-Transport-Security'));"
        "r = c.get('/healthz/', secure=False); print('healthz', r.status_code)"
    )
    env = {**PRODUCTION, "SICRM_VAR_DIR": str(tmp_path), "ALLOWED_HOSTS": "testserver"}
    assert _settings_under(env, "migrate", "-v0").returncode == 0
    result = _settings_under(env, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "plain 301 https://testserver/api/v1/customers/" in lines
    assert "hsts max-age=31536000; includeSubDomains; preload" in lines
    assert "healthz 200" in lines
