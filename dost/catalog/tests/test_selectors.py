from __future__ import annotations

import pytest
from django.test import override_settings

from dost.catalog.models import IntakeChannel, Service
from dost.catalog.selectors import (
    service_get,
    services_for_channel,
    services_for_rule_output,
    services_list,
)

pytestmark = pytest.mark.usefixtures("az_catalog", "uz_catalog")


@override_settings(DOST_COUNTRY="az")
def test_it_gets_a_service_of_the_deployment_country_by_code() -> None:
    assert service_get("05-01-01-01").names["en"].startswith("Targeted state social assistance")
    assert "Child allowance" in service_get("05-01-01-01", country="uz").names["en"]
    with pytest.raises(Service.DoesNotExist):
        service_get("99-99-99-99")


def test_it_lists_services_by_intake_channel() -> None:
    proactive = {s.code for s in services_for_channel(IntakeChannel.PROACTIVE, country="az")}
    by_post = {s.code for s in services_for_channel("post", country="az")}

    assert {"04-01-01-01", "06-02-02-01", "06-02-03-01"} <= proactive
    assert "01-01-01-01" not in proactive  # jobseeker registration needs the person
    assert "05-01-01-01" in by_post
    assert all("post" in s.intake_channels for s in services_for_channel("post", country="az"))


def test_it_leaves_inactive_services_out_unless_asked() -> None:
    Service.objects.filter(country="az", code="06-02-02-01").update(is_active=False)

    assert "06-02-02-01" not in {
        s.code for s in services_for_channel(IntakeChannel.PROACTIVE, country="az")
    }
    assert services_list(country="az", active_only=False).filter(code="06-02-02-01").exists()


def test_it_finds_the_services_a_rule_output_decides() -> None:
    assert [s.code for s in services_for_rule_output("tssa_amount", country="az")] == [
        "05-01-01-01"
    ]
    assert services_for_rule_output("tssa_amount", country="uz") == []


def test_it_reads_the_channel_list_in_one_query(django_assert_num_queries: object) -> None:
    with django_assert_num_queries(1):  # type: ignore[operator]
        services = services_for_channel("centre", country="az")
        names = [s.category.code for s in services]
    assert len(names) > 20
