"""The project as a whole: it serves, and production settings pass the deploy check."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client

from dost.settings import BASE_DIR


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "DOST — social protection services")],
)
def test_it_serves_the_home_page(client: Client, language: str, heading: str) -> None:
    response = client.get("/", headers={"accept-language": language})
    assert response.status_code == 200
    page = response.content.decode()
    assert heading in page
    for link in ("/portal/", "/portal/tools/", "/backoffice/", "/centres/", "/backoffice/queue/",
                 "/admin/", "/api/v1/docs"):
        assert f'href="{link}' in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_it_passes_the_deploy_check_with_production_settings() -> None:
    env = {
        **os.environ,
        "DOST_PRODUCTION": "1",
        "SECRET_KEY": "a-long-random-test-key-" + "k7Qz!" * 12,
        "ALLOWED_HOSTS": "dost.example.org",
    }
    result = subprocess.run(
        [sys.executable, "-m", "dost.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_in_production_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DOST_PRODUCTION"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "dost.cli", "check"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
