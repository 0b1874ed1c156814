"""Translations: every catalog in the repository is complete in az, uz and ru, its compiled .mo
matches its .po, placeholders survive translation, pages render in the chosen language, the
choice is remembered, and messages sent from tasks speak the recipient's language.

The catalogs are found by globbing, so a catalog an app adds later is checked without a change
here. How to update a catalog: docs/translations.md.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from collections import Counter
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.test import Client
from django.utils import timezone

from dost.settings import BASE_DIR

LANGUAGES = ("az", "uz", "ru")
LOCALE_DIRS = sorted(p for p in (BASE_DIR / "dost").glob("**/locale") if p.is_dir())
CATALOGS = sorted(
    locale_dir / lang / "LC_MESSAGES" / "django.po"
    for locale_dir in LOCALE_DIRS for lang in LANGUAGES
)

# Plural form index expected for a sample of integers: gettext's Russian header may have three
# forms or four (the fourth is for fractions), Uzbek one, Azerbaijani two; integers must land on
# one / few / many in Russian whatever the header.
PLURAL_SAMPLES: dict[str, dict[int, set[int]]] = {
    "ru": {1: {0}, 21: {0}, 101: {0}, 2: {1}, 4: {1}, 22: {1}, 5: {2}, 11: {2}, 12: {2},
           14: {2}, 25: {2}, 0: {2}, 111: {2}},
    "az": {1: {0}, 2: {0, 1}, 5: {0, 1}},
    "uz": {1: {0}, 2: {0, 1}, 5: {0, 1}},
}
NAMED = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%(?!\()[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACED = re.compile(r"\{(\w*)(?:![rsa])?(?::[^{}]*)?\}")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b")


def _label(path: Path) -> str:
    return str(path.relative_to(BASE_DIR))


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def _entries(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def _strings(message: Message) -> tuple[str, ...]:
    string = message.string
    if isinstance(string, (tuple, list)):
        return tuple(str(s or "") for s in string)
    return (str(string or ""),)


def _placeholders(text: str, *, python: bool, brace: bool) -> tuple[Any, ...]:
    named = frozenset(NAMED.findall(text)) if python else frozenset()
    positional = tuple(sorted(POSITIONAL.findall(text))) if python else ()
    braced = frozenset(BRACED.findall(text)) if brace else frozenset()
    return named, positional, braced, Counter(TAG.findall(text))


def test_it_finds_the_catalogs_of_the_apps_and_of_the_project() -> None:
    found = {_label(d) for d in LOCALE_DIRS}
    for expected in ("dost/locale", "dost/cases/locale", "dost/centres/locale",
                     "dost/registry/locale"):
        assert expected in found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_keeps_only_project_strings_in_the_project_catalog(lang: str) -> None:
    # `makemessages` run in an app folder without its own `locale/` writes into LOCALE_PATHS:
    # the app's strings would then land here. Create dost/<app>/locale and extract again.
    catalog = _read(BASE_DIR / "dost" / "locale" / lang / "LC_MESSAGES" / "django.po")
    strays = sorted({
        path for message in _entries(catalog) for path, _line in message.locations
        if not (path.startswith("templates/") or path == "settings.py")
    })
    assert not strays, f"app strings in dost/locale: {strays}"


@pytest.mark.parametrize("locale_dir", LOCALE_DIRS, ids=_label)
def test_it_has_every_language_in_every_locale_folder(locale_dir: Path) -> None:
    for lang in LANGUAGES:
        assert (locale_dir / lang / "LC_MESSAGES" / "django.po").is_file(), lang


@pytest.mark.parametrize("path", CATALOGS, ids=_label)
def test_it_translates_every_entry(path: Path) -> None:
    catalog = _read(path)
    lang = path.parent.parent.name
    assert not catalog.fuzzy, "the header is marked fuzzy: msgfmt would drop it"
    assert str(catalog.locale) == lang, "the Language header names another language"
    plural = gettext.c2py(catalog.plural_expr)
    for number, forms in PLURAL_SAMPLES[lang].items():
        assert plural(number) in forms, f"Plural-Forms puts {number} in form {plural(number)}"
    problems = []
    for message in _entries(catalog):
        strings = _strings(message)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
        elif message.pluralizable and len(strings) != catalog.num_plurals:
            problems.append(f"{len(strings)} plural forms, header says {catalog.num_plurals}: "
                            f"{message.id!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", CATALOGS, ids=_label)
def test_it_keeps_placeholders_and_markup(path: Path) -> None:
    problems = []
    for message in _entries(_read(path)):
        if message.fuzzy:
            continue
        python = message.python_format or "python-format" in message.flags
        brace = "python-brace-format" in message.flags
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        # Every form is compared with the plural msgid: that is the one with the number in it.
        wanted = _placeholders(ids[-1], python=python, brace=brace)
        for string in _strings(message):
            if string and _placeholders(string, python=python, brace=brace) != wanted:
                problems.append(f"{message.id!r} -> {string!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", CATALOGS, ids=_label)
def test_it_ships_a_compiled_catalog_matching_the_source(path: Path) -> None:
    # .mo files are committed (production serves them as they are); they must say what the
    # .po says. Fix: run `manage.py compilemessages` in the app folder (docs/translations.md).
    mo_path = path.with_suffix(".mo")
    assert mo_path.is_file(), f"{_label(mo_path)} is missing"
    with mo_path.open("rb") as handle:
        compiled = {_strings_of(m.id): _strings(m) for m in read_mo(handle) if m.id}
    source = {
        _strings_of(m.id): _strings(m) for m in _entries(_read(path))
        if not m.fuzzy and all(_strings(m))
    }
    stale = sorted(str(k) for k in source.keys() ^ compiled.keys())
    stale += sorted(str(k) for k in source.keys() & compiled.keys() if source[k] != compiled[k])
    assert not stale, "the .mo is out of date for:\n" + "\n".join(stale[:20])


def _strings_of(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


# --- Pages -----------------------------------------------------------------------------------


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "the page has no <h1>"
    return " ".join(unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


def _html_lang(html: str) -> str:
    match = re.search(r'<html[^>]*\blang="([^"]+)"', html)
    assert match, "the page has no <html lang>"
    return match.group(1)


def _get(client: Client, url: str, lang: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(url)
    assert response.status_code == 200, (url, lang, response.status_code)
    return response.content.decode()


@pytest.fixture
def centre(db: None) -> str:
    from dost.centres.models import Centre, ServiceGroup

    centre = Centre.objects.create(
        code="baku-1", country="az", names=dict.fromkeys(("az", "uz", "ru", "en"), "Baku 1"),
    )
    ServiceGroup.objects.create(
        centre=centre, letter="A", position=1,
        names={"az": "Pensiyalar", "uz": "Pensiyalar", "ru": "Пенсии", "en": "Pensions"},
    )
    return centre.code


@pytest.fixture
def staff_client(db: None, client: Client, settings: Any) -> Client:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DOST_STAFF_2FA = False  # the TOTP step is dost/security's to test
    user = User.objects.create_user("officer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="work_case"))
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "url", ["/", "/centres/", "/centres/baku-1/kiosk/", "/accounts/login/"],
)
def test_it_renders_the_public_pages_in_each_language(
    client: Client, centre: str, url: str, lang: str,
) -> None:
    english = _h1(_get(client, url, "en"))
    page = _get(client, url, lang)
    assert _html_lang(page) == lang
    assert _h1(page) != english, f"{url} keeps its English heading in {lang}"


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_renders_the_display_board_in_each_language(
    client: Client, centre: str, lang: str,
) -> None:
    # The board's <h1> is the centre's own name; its first section heading is ours.
    def heading(html: str) -> str:
        match = re.search(r"<h2[^>]*>(.*?)</h2>", html, re.S)
        assert match, "the board has no <h2>"
        return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())

    english = heading(_get(client, "/centres/baku-1/board/", "en"))
    page = _get(client, "/centres/baku-1/board/", lang)
    assert _html_lang(page) == lang
    assert heading(page) != english


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_renders_the_case_work_queue_in_each_language(
    staff_client: Client, lang: str,
) -> None:
    english = _h1(_get(staff_client, "/backoffice/queue/", "en"))
    page = _get(staff_client, "/backoffice/queue/", lang)
    assert _html_lang(page) == lang
    assert _h1(page) != english


@pytest.mark.django_db
def test_it_remembers_the_language_switch(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/centres/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    # Another page, later, with no Accept-Language: the cookie alone picks Russian.
    page = client.get("/").content.decode()
    assert _html_lang(page) == "ru"
    assert _h1(page) == "DOST — услуги социальной защиты"
    client.post("/i18n/setlang/", {"language": "uz", "next": "/"})
    page = client.get("/centres/").content.decode()
    assert _html_lang(page) == "uz"
    assert _h1(page) == "Xizmat markazlari"


# --- Messages sent from tasks ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "subject", "opening"),
    [
        ("ru", "Ваша запись в DOST", "Напоминание: ваш приём"),
        ("uz", "DOSTdagi qabulingiz", "Eslatma: qabulingiz"),
        ("az", "DOST-da qəbulunuz", "Xatırlatma: qəbulunuz"),
    ],
)
def test_it_writes_the_appointment_reminder_in_the_persons_language(
    centre: str, django_capture_on_commit_callbacks: Any, lang: str, subject: str, opening: str,
) -> None:
    from dost.centres.models import Appointment, ServiceGroup
    from dost.centres.services import appointment_reminders_send
    from dost.registry.models import Person

    person = Person.objects.create(
        personal_id="5XK2P7Q", last_name="Aliyeva", first_name="Leyla",
        birth_date=dt.date(1980, 5, 1), sex="F", preferred_language=lang,
    )
    group = ServiceGroup.objects.get(centre__code=centre)
    now = timezone.now()
    Appointment.objects.create(
        centre=group.centre, service_group=group, person=person, name="Leyla Aliyeva",
        email="leyla@example.org", starts_at=now + dt.timedelta(hours=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert appointment_reminders_send(now=now) == 1
    [message] = mail.outbox
    assert message.subject == subject
    assert message.body.startswith(opening)
