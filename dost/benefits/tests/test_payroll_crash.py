"""A payroll run killed in the middle resumes without paying anyone twice.

The run is a real `dost payroll run` process against a real database (a SQLite file, or the
PostgreSQL test database), killed by the DOST_PAYROLL_FAIL_AFTER fault hook mid-transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest
from django.db import connection

from dost.benefits.models import Frequency
from dost.benefits.services.awards import award_create
from dost.benefits.services.payroll import FAIL_AFTER_ENV, FAULT_EXIT_CODE
from dost.catalog.models import Service, ServiceCategory
from dost.registry.models import Person
from dost.registry.tests.factories import PersonFactory

DOST = str(Path(sys.executable).with_name("dost"))
AWARDS = 30
# Awards 0-4 start three months back: each is owed two months of arrears.
EXPECTED = AWARDS + 5 * 2


def seed() -> None:
    """Thirty monthly awards, five of them back-dated, and a payroll officer; run in the
    database under test."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from dost.security.roles import Role

    officer = get_user_model().objects.create_user("crash-officer", is_staff=True)
    officer.groups.add(Group.objects.get(name=Role.PAYROLL_OFFICER))
    category = ServiceCategory.objects.create(code="crash", names={"en": "Crash"})
    service = Service.objects.create(
        code="98-01-01-01", country="az", category=category, names={"en": "Crash test"},
    )
    for n in range(AWARDS):
        start = dt.date(2026, 1, 1) if n < 5 else dt.date(2026, 3, 1)
        award_create(
            service=service, person=cast(Person, PersonFactory()), amount=Decimal("100.00"),
            currency="AZN", frequency=Frequency.MONTHLY, start=start, bank="KAPIAZ2X",
            account=f"AZ00{n:020d}",
        )


COUNT = (
    "from django.db.models import Count; from dost.benefits.models import Payment; "
    "print('COUNTS', Payment.objects.count(), Payment.objects.values('award', 'period')"
    ".annotate(n=Count('id')).filter(n__gt=1).count())"
)


def _dost(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DOST, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _counts(env: dict[str, str]) -> tuple[int, int]:
    out = _dost(env, "shell", "-c", COUNT)
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.startswith("COUNTS"))
    _label, total, duplicates = line.split()
    return int(total), int(duplicates)


@pytest.fixture
def database_env(transactional_db: None, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != FAIL_AFTER_ENV}
    env["DOST_COUNTRY"] = "az"
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        migrated = _dost(env, "migrate", "--skip-checks", "-v", "0")
        assert migrated.returncode == 0, migrated.stderr
    else:
        s = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        )
    seeded = _dost(env, "shell", "-c",
                   "from dost.benefits.tests.test_payroll_crash import seed; seed()")
    assert seeded.returncode == 0, seeded.stderr
    return env


@pytest.mark.parametrize("preparer", [(), ("--by", "crash-officer")],
                         ids=["no preparer", "four eyes"])
def test_it_resumes_a_killed_run_without_paying_twice(
    database_env: dict[str, str], preparer: tuple[str, ...]
) -> None:
    # With `--by`, the run goes through `payroll_prepare` (four eyes), which must let the
    # batches commit one by one too.
    run = ("payroll", "run", "--period", "2026-03", "--batch-size", "7", *preparer)
    crashed = _dost({**database_env, FAIL_AFTER_ENV: "20"}, *run)
    assert crashed.returncode == FAULT_EXIT_CODE, crashed.stderr
    committed, _duplicates = _counts(database_env)
    # Batches before the one in flight are kept; the one in flight is rolled back.
    assert 0 < committed < 20

    resumed = _dost(database_env, *run)
    assert resumed.returncode == 0, resumed.stderr
    assert _counts(database_env) == (EXPECTED, 0)

    again = _dost(database_env, *run)
    assert again.returncode == 0, again.stderr
    assert "0 payments created" in again.stdout
    assert _counts(database_env) == (EXPECTED, 0)
