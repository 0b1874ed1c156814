from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal

import polars as pl
import pytest

from dost.api.models import ExportJob
from dost.cases.services import case_submit
from dost.cases.tests.conftest import TSSA, az_world, head_of, make_household
from dost.catalog.working_days import calendar_forget

pytestmark = pytest.mark.django_db
__all__ = ["az_world"]

TSSA_DOCS = ["application", "family_id_cards", "birth_certificate"]


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar_forget()
    yield
    calendar_forget()


@pytest.fixture
def beneficiaries(az_world: None) -> list[str]:
    """Two approved households and one refused, for 2026-03."""
    ids = []
    for wage in ("300.00", "200.00", "3000.00"):
        household = make_household(head_wage=wage)
        case_submit(service=TSSA, applicant=head_of(household), household=household,
                    channel="portal", period="2026-03", documents=TSSA_DOCS)
        ids.append(head_of(household).personal_id)
    return ids[:2]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_it_exports_a_periods_beneficiaries_as_csv_in_the_background(
    caller, beneficiaries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = caller.post("/api/v1/exports", {"period": "2026-03", "format": "csv"})
    assert response.status_code == 202
    job = caller.get(f"/api/v1/exports/{response.json()['id']}").json()
    assert (job["status"], job["rows"]) == ("done", 2)
    download = caller.get(job["download"])
    assert download["Content-Type"] == "text/csv"
    body = io.BytesIO(b"".join(download.streaming_content))
    # Personal IDs are text: "0000175" must not be read back as the number 175.
    frame = pl.read_csv(body, schema_overrides={"personal_id": pl.String})
    assert sorted(frame["personal_id"].to_list()) == sorted(beneficiaries)
    assert sorted(frame["amount"].to_list()) == [600.0, 700.0]


def test_it_leaves_personal_ids_out_for_a_statistics_client(make_caller, beneficiaries,
                                                            django_capture_on_commit_callbacks):
    statistics = make_caller("statistics", scopes=["exports:write"])
    with django_capture_on_commit_callbacks(execute=True):
        created = statistics.post("/api/v1/exports", {"period": "2026-03", "format": "parquet"})
    job = ExportJob.objects.get(pk=created.json()["id"])
    frame = pl.read_parquet(job.file)
    assert "personal_id" not in frame.columns
    assert frame.height == 2
    assert frame["amount"].sum() == Decimal("1300.00")


def test_it_answers_not_ready_and_not_found_as_problems(caller, make_caller, db):
    created = caller.post("/api/v1/exports", {"period": "2026-03"}).json()  # never run
    response = caller.get(f"/api/v1/exports/{created['id']}/file")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    other = make_caller("other")
    assert other.get(f"/api/v1/exports/{created['id']}").status_code == 404
