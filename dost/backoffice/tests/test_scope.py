"""Staff scope on persons: a person's place is their district of residence. Staff assigned to a
region find and open the persons living in it, staff assigned to a centre those who applied
at it, national-scope staff everyone."""

from __future__ import annotations

from typing import cast

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dost.backoffice.selectors import persons_in_scope
from dost.registry.models import District
from dost.registry.tests.factories import DistrictFactory, RegionFactory
from dost.security.models import StaffAssignment
from dost.security.roles import Role as StaffRole

from .conftest import World, staff_user

SEARCH = {"query": "Məmmədov", "purpose": "case work"}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def found(client: Client, query: dict[str, str]) -> set[str]:
    response = client.get("/backoffice/search/", query)
    assert response.status_code == 200
    return {h.person.full_name for h in response.context["result"].hits}


@pytest.mark.django_db
def test_regional_staff_find_and_open_only_the_persons_of_their_region(world: World) -> None:
    home = world.head.district
    assert home is not None
    world.child.district = cast(
        District,
        DistrictFactory(
            code="AZ-GA-01", name="Gəncə", region=RegionFactory(code="AZ-GA", name="Gəncə")
        ),
    )
    world.child.save(update_fields=["district"])
    officer = staff_user("regional", StaffRole.CASE_OFFICER)
    StaffAssignment.objects.create(user=officer, region=home.region)
    client = signed_in(officer)
    assert found(client, SEARCH) == {"Məmmədov Elvin Rəşad oğlu"}
    assert found(client, {"query": world.child.personal_id, "purpose": "case work"}) == set()
    opened = client.get(f"/backoffice/people/{world.head.pk}/", {"purpose": "case work"})
    assert opened.status_code == 200
    refused = client.get(f"/backoffice/people/{world.child.pk}/", {"purpose": "case work"})
    assert refused.status_code == 404  # as absent as a person who does not exist
    # The child moves into the region: now found and opened.
    world.child.district = cast(
        District, DistrictFactory(code="AZ-BA-02", name="Nəsimi", region=home.region)
    )
    world.child.save(update_fields=["district"])
    assert found(client, SEARCH) == {"Məmmədov Elvin Rəşad oğlu", "Məmmədov Rəşad"}
    assert (
        client.get(f"/backoffice/people/{world.child.pk}/", {"purpose": "case work"}).status_code
        == 200
    )


@pytest.mark.django_db
def test_centre_staff_find_the_persons_who_applied_at_their_centre(world: World) -> None:
    officer = staff_user("at-centre", StaffRole.CASE_OFFICER)
    StaffAssignment.objects.create(user=officer, centre=world.centre)
    # The head and the spouse applied at the centre (the world's two cases); the child not.
    assert persons_in_scope(
        user=officer, person_ids=[world.head.pk, world.spouse.pk, world.child.pk]
    ) == {world.head.pk, world.spouse.pk}
    assert found(signed_in(officer), SEARCH) == {"Məmmədov Elvin Rəşad oğlu"}


@pytest.mark.django_db
def test_national_staff_find_everyone(world: World) -> None:
    client = signed_in(world.officer)  # no assignment: national scope
    assert found(client, SEARCH) == {"Məmmədov Elvin Rəşad oğlu", "Məmmədov Rəşad"}
    assert (
        client.get(f"/backoffice/people/{world.child.pk}/", {"purpose": "case work"}).status_code
        == 200
    )
