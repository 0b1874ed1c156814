from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dost.catalog.models import Holiday, Service
from dost.catalog.services import DATA_DIR

pytestmark = pytest.mark.django_db


def test_it_loads_a_country_from_the_command_line() -> None:
    out = io.StringIO()

    call_command("catalog", "load", "--country", "uz", stdout=out)

    assert Service.objects.filter(country="uz").exists()
    assert Holiday.objects.filter(country="uz").exists()
    assert "uz:" in out.getvalue() and "services" in out.getvalue()


def test_it_stops_with_the_file_and_field_on_bad_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    path = data_dir / "uz" / "services.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'code: "05-01-02-01"', 'code: "05-01-02"'), encoding="utf-8")

    with pytest.raises(CommandError, match=r"uz/services\.yaml: service 05-01-02: field 'code'"):
        call_command("catalog", "load", "--country", "uz", "--data-dir", str(data_dir))
