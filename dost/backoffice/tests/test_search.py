"""Person search: spelling tolerance, exact personal ID, the audit rows, who may search."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dost.audit.models import AccessRecord
from dost.backoffice import search
from dost.backoffice.names import name_key, stored_prefixes
from dost.backoffice.search import person_search_by_name
from dost.security.roles import Role as StaffRole

from .conftest import World, person, staff_user

URL = "/backoffice/search/"


def names_found(query: str) -> list[str]:
    return [h.person.full_name for h in person_search_by_name(query).hits]


@pytest.mark.parametrize(("typed", "stored"), [
    ("Mammadov", "Məmmədov"), ("Mamedov", "Məmmədov"), ("Мамедов", "Məmmədov"),
    ("Aliev", "Əliyev"), ("Алиев", "Əliyev"), ("Khalilov", "Xəlilov"), ("Халилов", "Xəlilov"),
    ("Dzhafarov", "Cəfərov"), ("Shukurov", "Şükürov"), ("Chingiz", "Çingiz"),
    ("Ўринов", "Oʻrinov"), ("G'ulomov", "Gʻulomov"), ("ISMAYILOV", "İsmayılov"),
])
def test_it_folds_spellings_to_one_key(typed: str, stored: str) -> None:
    assert name_key(typed) == name_key(stored)
    # and the stored spelling begins with one of the prefixes the key expands to
    assert any(stored.startswith(p) for p in stored_prefixes(name_key(typed)))


def test_it_keeps_different_names_apart() -> None:
    assert name_key("Hüseynov") != name_key("Məmmədov")


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), [
    ("Mammadov", "Məmmədov Elvin Rəşad oğlu"),
    ("Mamedov Elvin", "Məmmədov Elvin Rəşad oğlu"),
    ("Elvin Mammadov", "Məmmədov Elvin Rəşad oğlu"),
    ("Aliev Rashad", "Əliyev Rəşad"),
    ("Алиев Рашад", "Əliyev Rəşad"),
    ("Khalilov", "Xəlilov Kamran"),
    ("Djafarov", "Cəfərov Vüqar"),
    ("Mammadov El", "Məmmədov Elvin Rəşad oğlu"),  # the first letters of the first name
])
def test_it_finds_a_name_whatever_the_spelling(world: World, query: str, expected: str) -> None:
    found = names_found(query)
    assert found[0] == expected, found


@pytest.mark.django_db
def test_it_does_not_return_unrelated_names(world: World) -> None:
    found = names_found("Mammadov Elvin")
    assert "Hüseynov Orxan" not in found and "Xəlilov Kamran" not in found
    assert names_found("Zzyzx") == []


@pytest.mark.django_db
def test_it_cuts_the_candidate_set_and_says_so(
    world: World, monkeypatch: pytest.MonkeyPatch,
) -> None:
    for i in range(6):
        person("Məmmədli", f"Ayxan{i}")
    monkeypatch.setattr(search, "CANDIDATES_MAX", 3)
    result = person_search_by_name("Mammadli")
    assert result.truncated is True
    assert len(result.hits) <= 3


@pytest.mark.django_db
def test_it_costs_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: Any,
) -> None:
    for i in range(40):
        person("Məmmədov", f"Anar{i}")
    with django_assert_max_num_queries(2):  # one candidate query per name order
        assert len(person_search_by_name("Mammadov Anar").hits) >= 40


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_it_audits_every_person_a_search_shows(world: World) -> None:
    response = signed_in(world.officer).get(URL, {"query": "Mammadov", "purpose": "complaint"})
    assert response.status_code == 200
    assert "Məmmədov Elvin" in response.text
    rows = AccessRecord.objects.filter(actor=world.officer)
    assert {r.person_id for r in rows} == {world.head.pk, world.child.pk}
    assert {(r.what, r.purpose, r.channel) for r in rows} == {
        ("search result", "complaint", "backoffice")}


@pytest.mark.django_db
def test_it_finds_by_personal_id_exactly(world: World) -> None:
    response = signed_in(world.officer).get(
        URL, {"query": world.spouse.personal_id.lower(), "purpose": "case work"})
    assert response.status_code == 200
    assert [h.person for h in response.context["result"].hits] == [world.spouse]
    assert AccessRecord.objects.get().person_id == world.spouse.pk


@pytest.mark.django_db
def test_it_refuses_a_malformed_personal_id_without_searching(world: World) -> None:
    response = signed_in(world.officer).get(URL, {"query": "12345I7", "purpose": "case work"})
    assert "A FIN has exactly 7 characters" in response.text
    assert 'href="#id_query"' in response.text  # the error summary links to the field
    assert not AccessRecord.objects.exists()


@pytest.mark.django_db
def test_it_requires_a_purpose(world: World) -> None:
    response = signed_in(world.officer).get(URL, {"query": "Mammadov"})
    assert "Say why you are looking the person up." in response.text
    assert response.context["result"] is None
    assert not AccessRecord.objects.exists()


@pytest.mark.django_db
def test_it_lets_only_staff_with_the_permission_search(world: World) -> None:
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    payroll = staff_user("payroll", StaffRole.PAYROLL_OFFICER)
    assert signed_in(payroll).get(URL).status_code == 403
    not_staff = staff_user("clerk", StaffRole.CASE_OFFICER, is_staff=False)
    assert signed_in(not_staff).get(URL).status_code == 403
    social = staff_user("social", StaffRole.SOCIAL_WORKER)
    assert signed_in(social).get(URL).status_code == 200


def test_the_migration_indexes_the_expression_the_search_uses() -> None:
    import importlib

    migration = importlib.import_module(
        "dost.backoffice.migrations.0001_person_surname_trigram")
    assert migration.PG_SURNAME_KEY == search.PG_SURNAME_KEY
    keys = importlib.import_module("dost.backoffice.migrations.0002_person_name_keys")
    assert (keys.PG_SURNAME_KEY, keys.PG_FIRST_KEY) == (search.PG_SURNAME_KEY,
                                                         search.PG_FIRST_KEY)


@pytest.mark.django_db
def test_it_uses_the_name_keys_and_their_index_on_postgresql(world: World) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the name keys and their index exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s",
                       ["backoffice_person_name_keys"])
        assert cursor.fetchone() is not None
    assert names_found("Mamedov Elvin")[0] == "Məmmədov Elvin Rəşad oğlu"
    # A person registered, or renamed, later is found: the triggers add the new keys.
    newcomer = person("Qəhrəmanlı", "Tural")
    assert names_found("Gahramanli Tural") == ["Qəhrəmanlı Tural"]
    newcomer.last_name, newcomer.first_name = "Zülfüqarlı", "Nihad"
    newcomer.save()
    assert names_found("Zulfugarli")[0] == "Zülfüqarlı Nihad"
    with connection.cursor() as cursor:
        cursor.execute("SELECT part, key FROM backoffice_name_key WHERE key LIKE %s",
                       ["zulfu%"])
        assert cursor.fetchall() == [("l", "zulfukarli")]


@pytest.mark.django_db
def test_it_puts_the_closest_names_first_when_the_candidates_are_cut(
    world: World, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's prefix scan reads the candidates in alphabetical order")
    for i in range(5):
        person("Məmmədli", f"Anar{i}")
    monkeypatch.setattr(search, "CANDIDATES_MAX", 2)
    result = person_search_by_name("Mammadov")
    # The keys most like the query's are read first: the exact surname is not crowded out.
    assert result.truncated is True
    assert [h.person.last_name for h in result.hits][:1] == ["Məmmədov"]
