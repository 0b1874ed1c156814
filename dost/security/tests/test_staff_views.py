"""The administrators' staff pages: who may open them, role grants with four eyes (the
requester and the person concerned are refused, a replay too), and staff assignments."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dost.audit.models import ChangeRecord
from dost.centres.models import Centre
from dost.registry.models import Region
from dost.security.models import GrantStatus, RoleGrantRequest, StaffAssignment
from dost.security.roles import Role
from dost.security.services.roles import MSG_DECIDED, MSG_OWN_REQUEST, MSG_OWN_ROLE
from dost.security.testing import client_login_verified, staff_user
from dost.security.views import MSG_WHY_OWN_REQUEST, MSG_WHY_OWN_ROLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin1(db: None) -> User:
    return staff_user(Role.ADMINISTRATOR, username="admin")


@pytest.fixture
def admin2(db: None) -> User:
    return staff_user(Role.ADMINISTRATOR, username="admin2")


@pytest.fixture
def newcomer(db: None) -> User:
    return User.objects.create_user("newcomer", password="x-not-used-2026")


def signed_in(user: User) -> Client:
    return client_login_verified(Client(), user)


def notes(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def request_grant(client: Client, username: str, role: str = Role.PAYROLL_OFFICER.value) -> Any:
    return client.post(
        reverse("security:role_grant_request"),
        {
            "username": username,
            "role": role,
            "change": "grant",
            "reason": "Joins payroll, order 12",
        },
        follow=True,
    )


def test_it_lets_only_administrators_in(admin1: User) -> None:
    pages = [
        reverse("security:staff"),
        reverse("security:staff_user", args=[admin1.pk]),
        reverse("security:role_grant_request"),
        reverse("security:role_grants"),
    ]
    for url in pages:
        assert Client().get(url).status_code == 302
        assert signed_in(admin1).get(url).status_code == 200
    for role in (Role.PAYROLL_OFFICER, Role.CASE_OFFICER, Role.AUDITOR):
        client = signed_in(staff_user(role))
        for url in pages:
            assert client.get(url).status_code == 403, (role, url)
        assert (
            client.post(
                reverse("security:staff_assignment_add", args=[admin1.pk]), {"region": ""}
            ).status_code
            == 403
        )
    # A supervisor may approve grants (roles.py) but neither sees the staff list nor requests.
    supervisor = signed_in(staff_user(Role.SUPERVISOR))
    assert supervisor.get(reverse("security:role_grants")).status_code == 200
    assert supervisor.get(reverse("security:staff")).status_code == 403
    assert supervisor.get(reverse("security:role_grant_request")).status_code == 403


def test_it_grants_a_role_only_when_a_second_administrator_approves(
    admin1: User,
    admin2: User,
    newcomer: User,
) -> None:
    first = signed_in(admin1)
    response = request_grant(first, "newcomer")
    assert response.redirect_chain[-1][0] == reverse("security:role_grants")
    assert (
        "The request is recorded. Another administrator must approve it before it takes effect."
    ) in notes(response)
    grant = RoleGrantRequest.objects.get()
    assert (grant.user_id, grant.role, grant.status) == (
        newcomer.pk,
        "payroll officer",
        GrantStatus.PENDING,
    )

    # The requester is told why there is no button, and a forged POST is refused.
    page = response.content.decode()
    assert str(MSG_WHY_OWN_REQUEST) in page
    assert f'data-testid="grant-{grant.pk}-approve"' not in page
    decide = reverse("security:role_grant_decide", args=[grant.pk])
    refused = first.post(decide, {"decision": "approve"}, follow=True)
    assert str(MSG_OWN_REQUEST) in notes(refused)
    assert not newcomer.groups.exists()

    second = signed_in(admin2)
    page = second.get(reverse("security:role_grants")).content.decode()
    assert f'data-testid="grant-{grant.pk}-approve"' in page
    assert "Give newcomer the role Payroll officer" in page
    done = second.post(decide, {"decision": "approve"}, follow=True)
    assert "Approved: the change of role has taken effect." in notes(done)
    newcomer.refresh_from_db()
    assert list(newcomer.groups.values_list("name", flat=True)) == ["payroll officer"]
    assert newcomer.is_staff
    assert ChangeRecord.objects.filter(action="role granted", actor=admin2).exists()

    replay = second.post(decide, {"decision": "reject"}, follow=True)
    assert str(MSG_DECIDED) in notes(replay)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.APPROVED


def test_nobody_decides_their_own_role(admin1: User, admin2: User) -> None:
    request_grant(signed_in(admin1), "admin2", Role.AUDITOR.value)
    grant = RoleGrantRequest.objects.get()
    own = signed_in(admin2)
    assert str(MSG_WHY_OWN_ROLE) in own.get(reverse("security:role_grants")).content.decode()
    refused = own.post(
        reverse("security:role_grant_decide", args=[grant.pk]), {"decision": "approve"}, follow=True
    )
    assert str(MSG_OWN_ROLE) in notes(refused)
    assert not admin2.groups.filter(name="auditors").exists()


def test_a_rejected_request_changes_nothing(
    admin1: User,
    admin2: User,
    newcomer: User,
) -> None:
    request_grant(signed_in(admin1), "newcomer")
    grant = RoleGrantRequest.objects.get()
    done = signed_in(admin2).post(
        reverse("security:role_grant_decide", args=[grant.pk]), {"decision": "reject"}, follow=True
    )
    assert "Rejected: nothing changes." in notes(done)
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by_id) == (GrantStatus.REJECTED, admin2.pk)
    assert not newcomer.groups.exists()


def test_the_request_form_says_what_is_wrong(admin1: User) -> None:
    response = signed_in(admin1).post(
        reverse("security:role_grant_request"), {"username": "nobody-here", "change": "grant"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_username"' in page and "There is no active user with this username." in page
    assert 'href="#id_role_0"' in page and "Choose a role." in page
    assert 'href="#id_reason"' in page and "Say why the role is needed." in page
    assert not RoleGrantRequest.objects.exists()


def test_it_adds_and_removes_an_assignment(admin1: User, admin2: User) -> None:
    region = Region.objects.create(
        country="az", code="AZ-BA", name="Bakı", names={"en": "Baku", "az": "Bakı"}
    )
    centre = Centre.objects.create(
        code="baku-1", country="az", names={"en": "Baku DOST centre No. 1", "az": "Bakı 1"}
    )
    client = signed_in(admin1)
    url = reverse("security:staff_assignment_add", args=[admin2.pk])

    empty = client.post(url, {"centre": "", "region": ""})
    assert empty.status_code == 400
    assert "Choose a centre, a region, or both." in empty.content.decode()
    assert 'href="#id_centre"' in empty.content.decode()

    added = client.post(url, {"centre": centre.pk, "region": region.pk}, follow=True)
    assert "The assignment is added." in notes(added)
    assignment = StaffAssignment.objects.get(user=admin2)
    assert (assignment.centre_id, assignment.region_id) == (centre.pk, region.pk)
    assert "Baku DOST centre No. 1" in added.content.decode()
    listing = client.get(reverse("security:staff")).content.decode()
    assert "Baku DOST centre No. 1 · Baku" in listing

    removed = client.post(
        reverse("security:staff_assignment_remove", args=[assignment.pk]), follow=True
    )
    assert "The assignment is removed." in notes(removed)
    assert not StaffAssignment.objects.filter(user=admin2).exists()
    assert ChangeRecord.objects.filter(action="unassigned", actor=admin1).exists()


def test_the_staff_list_costs_the_same_queries_for_more_staff(
    admin1: User,
    django_assert_max_num_queries: Any,
) -> None:
    region = Region.objects.create(country="az", code="AZ-GA", name="Gəncə")
    for role in (Role.CASE_OFFICER, Role.SUPERVISOR, Role.PAYROLL_OFFICER, Role.AUDITOR):
        staff_user(role, region=region)
    client = signed_in(admin1)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("security:staff")).content.decode()
    assert page.count('data-testid="staff-') == 5
    assert "Payroll officer" in page and "Gəncə" in page
