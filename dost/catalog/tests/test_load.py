from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from dost.catalog.models import Holiday, HolidayKind, Service, ServiceCategory
from dost.catalog.services import DATA_DIR, CatalogDataError, catalog_load, catalog_load_all

pytestmark = pytest.mark.django_db

# Rule outputs of dost/rulebooks/az/rulebook.yaml that decide a service.
AZ_RULE_DECIDED = {
    "05-01-01-01": "tssa_amount",
    "04-01-01-01": "old_age_pension_amount",
    "06-01-01-01": "disability_benefit",
    "06-01-02-01": "breadwinner_loss_benefit",
    "06-02-01-01": "child_under_one_benefit",
    "06-02-02-01": "childbirth_grant",
    "06-02-03-01": "funeral_grant",
    "03-01-01-01": "unemployment_benefit",
}


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit_service(data_dir: Path, country: str, which: str, **changes: object) -> Path:
    path = data_dir / country / "services.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(s for s in data["services"] if s["code"] == which)
    entry.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_it_loads_the_azerbaijani_catalogue() -> None:
    result = catalog_load_all(country="az")

    assert result.categories == ServiceCategory.objects.count() == 10
    assert result.services == Service.objects.filter(country="az").count()
    tssa = Service.objects.get(country="az", code="05-01-01-01")
    assert tssa.deadline == 15
    assert tssa.deadline_unit == "working_days"
    assert tssa.fee == Decimal("0.00")
    assert "proactive" in tssa.intake_channels
    assert {g["code"] for g in tssa.refusal_grounds} >= {
        "vehicle", "purchases", "utilities", "real_estate", "job_offers",
    }
    assert set(tssa.names) == {"az", "uz", "ru", "en"}
    for code, output in AZ_RULE_DECIDED.items():
        assert output in Service.objects.get(country="az", code=code).rule_outputs, code
    staff = Service.objects.filter(country="az", rule_outputs=[]).count()
    assert staff >= 15
    assert result.holidays == Holiday.objects.filter(country="az").count()


def test_it_loads_the_uzbek_catalogue() -> None:
    services = catalog_load(country="uz")

    assert services == Service.objects.filter(country="uz").count() >= 9
    outputs = {o for s in Service.objects.filter(country="uz") for o in s.rule_outputs}
    assert {"child_allowance", "material_assistance"} <= outputs
    assert Holiday.objects.get(country="uz", date=dt.date(2026, 12, 12)).kind == (
        HolidayKind.WORKING_SATURDAY
    )


def test_it_ships_twenty_staff_handled_services_across_both_countries() -> None:
    catalog_load(country="az")
    catalog_load(country="uz")

    assert Service.objects.filter(rule_outputs=[]).count() >= 20


def test_it_loads_twice_without_duplicating_and_restores_edited_fields() -> None:
    catalog_load(country="az")
    counts = (Service.objects.count(), Holiday.objects.count(), ServiceCategory.objects.count())
    Service.objects.filter(code="05-01-01-01").update(deadline=99)

    catalog_load(country="az")

    assert (Service.objects.count(), Holiday.objects.count(),
            ServiceCategory.objects.count()) == counts
    assert Service.objects.get(country="az", code="05-01-01-01").deadline == 15


def test_it_names_file_service_and_field_for_a_bad_code(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    path = _edit_service(data_dir, "az", "05-01-01-01", code="5-1-1-1")

    with pytest.raises(CatalogDataError) as caught:
        catalog_load(country="az", data_dir=data_dir)

    assert caught.value.path == path
    assert caught.value.item == "service 5-1-1-1"
    assert caught.value.field == "code"
    assert str(path) in str(caught.value)
    assert "NN-NN-NN-NN" in str(caught.value)
    assert not Service.objects.exists()


def test_it_names_file_service_and_field_for_an_unknown_channel(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    path = _edit_service(data_dir, "az", "04-01-01-01", intake_channels=["centre", "fax"])

    with pytest.raises(CatalogDataError) as caught:
        catalog_load(country="az", data_dir=data_dir)

    message = str(caught.value)
    assert (caught.value.path, caught.value.item, caught.value.field) == (
        path, "service 04-01-01-01", "intake_channels",
    )
    assert str(path) in message and "04-01-01-01" in message and "'fax'" in message


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"names": {"az": "Ad", "en": "Name"}}, "names"),
        ({"documents": ["id_card", "no_such_document"]}, "documents"),
        ({"category": "no_such_category"}, "category"),
        ({"deadline": {"days": 15, "unit": "fortnights"}}, "deadline.unit"),
        ({"minutes": {"front_office": 30, "back_office": 30, "total": 10}}, "minutes.total"),
        ({"fee": "free"}, "fee"),
        ({"rule_outputs": ["TSSA Amount"]}, "rule_outputs"),
        ({"proactive_outcome": "maybe"}, "proactive_outcome"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_it_names_the_field_of_other_mistakes(
    tmp_path: Path, changes: dict[str, object], field: str
) -> None:
    data_dir = _copy_data(tmp_path)
    _edit_service(data_dir, "az", "06-01-01-01", **changes)

    with pytest.raises(CatalogDataError) as caught:
        catalog_load(country="az", data_dir=data_dir)

    assert caught.value.item == "service 06-01-01-01"
    assert caught.value.field == field


def test_it_refuses_a_duplicate_code(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    _edit_service(data_dir, "az", "06-01-01-01", code="06-01-02-01")

    with pytest.raises(CatalogDataError) as caught:
        catalog_load(country="az", data_dir=data_dir)

    assert (caught.value.item, caught.value.field) == ("service 06-01-02-01", "code")


def test_it_refuses_a_file_of_the_other_country(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    shutil.copy(data_dir / "uz" / "services.yaml", data_dir / "az" / "services.yaml")

    with pytest.raises(CatalogDataError) as caught:
        catalog_load(country="az", data_dir=data_dir)

    assert caught.value.field == "country"


def test_it_names_the_date_of_a_bad_holiday(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    path = data_dir / "az" / "holidays.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["holidays"][0]["kind"] = "feast"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    with pytest.raises(CatalogDataError) as caught:
        catalog_load(country="az", data_dir=data_dir)

    assert (caught.value.path, caught.value.item, caught.value.field) == (
        path, "holiday 2025-01-01", "kind",
    )
    # One transaction: the valid services file before it was not half-loaded.
    assert not Service.objects.exists()


def test_it_reports_invalid_yaml_with_the_file(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    path = data_dir / "uz" / "services.yaml"
    path.write_text("country: uz\nservices: [\n", encoding="utf-8")

    with pytest.raises(CatalogDataError) as caught:
        catalog_load(country="uz", data_dir=data_dir)

    assert caught.value.path == path
