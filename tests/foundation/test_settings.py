"""Production settings and readiness, each checked in a fresh process with its own environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    environment.update(env)
    script = "import django; django.setup(); " + code
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django("pass", DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="civicworks.settings")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-production-secret-0123456789-abcdefghijklmnop",
        DJANGO_ALLOWED_HOSTS="civicworks.example.cn",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_readyz_answers_503_when_the_database_is_unreachable():
    code = (
        "from django.test import Client; r = Client(HTTP_HOST='localhost').get('/readyz'); "
        "print(r.status_code, r['Retry-After'], r.json()['problems'])"
    )
    result = run_django(
        code,
        DJANGO_SETTINGS_MODULE="civicworks.settings",
        # Nothing listens on port 9: the connection is refused at once.
        DATABASE_URL="postgres://postgres@127.0.0.1:9/civicworks",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("503 5 {'database': 'OperationalError'")
