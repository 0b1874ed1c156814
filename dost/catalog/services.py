"""Writes to the catalogue: loading service passports and holidays from the YAML data files.

The files live in `dost/catalog/data/` (see docs/catalog.md for the format):
`categories.yaml` (shared), `<country>/services.yaml` and `<country>/holidays.yaml`. Loading is an
idempotent upsert keyed by (country, code) for services and (country, date) for holidays: rows
in the files are created or brought in line with them, rows that are only in the database (added
in the admin) are left alone. A file is validated whole before anything is written, and an error
names the file, the service code (or holiday date) and the field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dost.catalog.models import (
    MSG_UNKNOWN_CHOICE,
    Holiday,
    HolidayKind,
    Service,
    ServiceCategory,
    missing_languages,
)
from dost.catalog.working_days import calendar_forget
from dost.registry.models import Country

DATA_DIR = Path(__file__).resolve().parent / "data"
# libyaml's loader when the wheel has it: several times faster on the catalogue files.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MSG_NO_FILE = _("The file does not exist.")
MSG_BAD_YAML = _("The file is not valid YAML: %(error)s")
MSG_NOT_MAPPING = _("Expected a mapping with the keys %(keys)s.")
MSG_WRONG_COUNTRY = _("The file says country %(found)r but is loaded for %(expected)r.")
MSG_UNKNOWN_COUNTRY = _("Unknown country %(country)r.")
MSG_REQUIRED = _("This field is required.")
MSG_NOT_LIST = _("Expected a list.")
MSG_NOT_TEXTS = _("Expected a map from language code to text (az, uz, ru, en).")
MSG_LANGUAGES = _("Text is missing for the languages: %(languages)s.")
MSG_UNKNOWN_REF = _(
    "Unknown %(what)s %(code)r: define it under %(section)r at the top of the file."
)
MSG_UNKNOWN_CATEGORY = _("Unknown category %(code)r; known: %(known)s.")
MSG_DUPLICATE = _("Appears more than once in the file.")
MSG_NOT_INTEGER = _("Expected a whole number of zero or more.")
MSG_NOT_AMOUNT = _("Expected an amount of zero or more, such as 0 or 12.50.")
MSG_NOT_DATE = _("Expected a date as YYYY-MM-DD.")
MSG_UNKNOWN_KEYS = _("Unknown keys %(keys)s.")

SERVICE_KEYS = {
    "code", "category", "names", "legal_basis", "intake_channels", "response_channels",
    "eligible_users", "documents", "refusal_grounds", "minutes", "deadline", "fee",
    "electronisation", "automation", "proactive_outcome", "rule_outputs", "active",
}
HOLIDAY_KEYS = {"date", "kind", "name", "names", "source"}


class CatalogDataError(ValueError):
    """A data file that cannot be loaded; `str()` names the file, the item and the field."""

    def __init__(self, path: Path, item: str, field: str, message: object) -> None:
        self.path = path
        self.item = item
        self.field = field
        self.message = str(message)
        where = f"{path}: {item}" if item else str(path)
        super().__init__(f"{where}: field {field!r}: {self.message}" if field else
                         f"{where}: {self.message}")


@dataclass(frozen=True)
class LoadResult:
    categories: int
    services: int
    holidays: int


# --- Reading --------------------------------------------------------------------------------


def _read(path: Path, keys: tuple[str, ...]) -> dict[str, Any]:
    if not path.is_file():
        raise CatalogDataError(path, "", "", MSG_NO_FILE)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise CatalogDataError(path, "", "", MSG_BAD_YAML % {"error": exc}) from exc
    if not isinstance(data, dict) or any(k not in data for k in keys):
        raise CatalogDataError(path, "", "", MSG_NOT_MAPPING % {"keys": ", ".join(keys)})
    return data


def _check_country(path: Path, data: dict[str, Any], country: str) -> None:
    if data.get("country") != country:
        raise CatalogDataError(
            path, "", "country",
            MSG_WRONG_COUNTRY % {"found": data.get("country"), "expected": country},
        )


def _texts(path: Path, item: str, field: str, value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise CatalogDataError(path, item, field, MSG_NOT_TEXTS)
    if missing := missing_languages(value):
        raise CatalogDataError(path, item, field, MSG_LANGUAGES % {"languages": ", ".join(missing)})
    return {str(k): str(v).strip() for k, v in value.items()}


def _vocabulary(path: Path, data: dict[str, Any], section: str) -> dict[str, dict[str, str]]:
    raw = data.get(section) or {}
    if not isinstance(raw, dict):
        raise CatalogDataError(path, section, "", MSG_NOT_TEXTS)
    return {str(code): _texts(path, f"{section} {code}", "text", texts)
            for code, texts in raw.items()}


def _items(
    path: Path, item: str, field: str, value: object,
    vocabulary: dict[str, dict[str, str]], what: str,
) -> list[dict[str, Any]]:
    """Documents or refusal grounds: codes from the file's vocabulary or inline {code, text}."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise CatalogDataError(path, item, field, MSG_NOT_LIST)
    result: list[dict[str, Any]] = []
    for entry in value:
        if isinstance(entry, str):
            if entry not in vocabulary:
                raise CatalogDataError(path, item, field, MSG_UNKNOWN_REF % {
                    "what": what, "code": entry, "section": field,
                })
            result.append({"code": entry, "text": vocabulary[entry]})
        elif isinstance(entry, dict) and entry.get("code"):
            result.append({
                "code": str(entry["code"]),
                "text": _texts(path, item, f"{field}.{entry['code']}", entry.get("text")),
            })
        else:
            raise CatalogDataError(path, item, field, MSG_UNKNOWN_REF % {
                "what": what, "code": entry, "section": field,
            })
    return result


def _legal_basis(path: Path, item: str, value: object) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CatalogDataError(path, item, "legal_basis", MSG_NOT_LIST)
    result: list[dict[str, Any]] = []
    for entry in value:
        if isinstance(entry, str):
            result.append({"citation": entry})
            continue
        if not isinstance(entry, dict) or not entry.get("citation"):
            raise CatalogDataError(path, item, "legal_basis.citation", MSG_REQUIRED)
        basis: dict[str, Any] = {"citation": str(entry["citation"])}
        if entry.get("text") is not None:
            basis["text"] = _texts(path, item, "legal_basis.text", entry["text"])
        if entry.get("url"):
            basis["url"] = str(entry["url"])
        result.append(basis)
    return result


def _whole(path: Path, item: str, field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CatalogDataError(path, item, field, MSG_NOT_INTEGER)
    return value


def _amount(path: Path, item: str, value: object) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise CatalogDataError(path, item, "fee", MSG_NOT_AMOUNT) from None
    if isinstance(value, bool) or not amount.is_finite() or amount < 0:
        raise CatalogDataError(path, item, "fee", MSG_NOT_AMOUNT)
    return amount.quantize(Decimal("0.01"))


def _first_error(exc: ValidationError) -> tuple[str, str]:
    for field, messages in exc.message_dict.items():
        return field, "; ".join(messages)
    return "", "; ".join(exc.messages)


# --- Categories -----------------------------------------------------------------------------


def categories_load(*, data_dir: Path = DATA_DIR) -> int:
    """Upsert the shared service categories from `categories.yaml`; returns how many."""
    path = data_dir / "categories.yaml"
    data = _read(path, ("categories",))
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, entry in enumerate(data["categories"] or [], start=1):
        code = str(entry.get("code", "")) if isinstance(entry, dict) else ""
        item = f"category {code or position}"
        if not code:
            raise CatalogDataError(path, item, "code", MSG_REQUIRED)
        if code in seen:
            raise CatalogDataError(path, item, "code", MSG_DUPLICATE)
        seen.add(code)
        rows.append({
            "code": code,
            "position": _whole(path, item, "position", entry.get("position", position)),
            "names": _texts(path, item, "names", entry.get("names")),
        })
    with transaction.atomic():
        for row in rows:
            ServiceCategory.objects.update_or_create(
                code=row["code"], defaults={"position": row["position"], "names": row["names"]},
            )
    return len(rows)


# --- Services -------------------------------------------------------------------------------


def _service(
    path: Path, entry: object, country: str, categories: dict[str, ServiceCategory],
    documents: dict[str, dict[str, str]], grounds: dict[str, dict[str, str]],
) -> Service:
    if not isinstance(entry, dict):
        raise CatalogDataError(path, "service ?", "", MSG_NOT_MAPPING % {"keys": "code, names"})
    code = str(entry.get("code") or "")
    item = f"service {code or '?'}"
    if not code:
        raise CatalogDataError(path, item, "code", MSG_REQUIRED)
    if unknown := sorted(set(entry) - SERVICE_KEYS):
        raise CatalogDataError(path, item, unknown[0], MSG_UNKNOWN_KEYS % {
            "keys": ", ".join(unknown)
        })
    category_code = entry.get("category")
    if category_code not in categories:
        raise CatalogDataError(path, item, "category", MSG_UNKNOWN_CATEGORY % {
            "code": category_code, "known": ", ".join(sorted(categories)),
        })
    minutes = entry.get("minutes") or {}
    deadline = entry.get("deadline") or {}
    if not isinstance(minutes, dict):
        raise CatalogDataError(path, item, "minutes", MSG_NOT_MAPPING % {
            "keys": "front_office, back_office, total"
        })
    if not isinstance(deadline, dict):
        raise CatalogDataError(path, item, "deadline", MSG_NOT_MAPPING % {"keys": "days, unit"})
    for field in ("intake_channels", "response_channels", "eligible_users", "rule_outputs"):
        if not isinstance(entry.get(field) or [], list):
            raise CatalogDataError(path, item, field, MSG_NOT_LIST)
    service = Service(
        code=code,
        country=country,
        category=categories[category_code],
        names=_texts(path, item, "names", entry.get("names")),
        legal_basis=_legal_basis(path, item, entry.get("legal_basis")),
        intake_channels=list(entry.get("intake_channels") or []),
        response_channels=list(entry.get("response_channels") or []),
        eligible_users=list(entry.get("eligible_users") or []),
        documents=_items(path, item, "documents", entry.get("documents"), documents, "document"),
        refusal_grounds=_items(
            path, item, "refusal_grounds", entry.get("refusal_grounds"), grounds, "refusal ground"
        ),
        front_office_minutes=_whole(path, item, "minutes.front_office",
                                    minutes.get("front_office", 0)),
        back_office_minutes=_whole(path, item, "minutes.back_office",
                                   minutes.get("back_office", 0)),
        total_minutes=_whole(path, item, "minutes.total", minutes.get("total", 0)),
        deadline=_whole(path, item, "deadline.days", deadline.get("days", 0)),
        deadline_unit=str(deadline.get("unit", "working_days")),
        fee=_amount(path, item, entry.get("fee", 0)),
        electronisation=str(entry.get("electronisation", "none")),
        automation=str(entry.get("automation", "manual")),
        proactive_outcome=str(entry.get("proactive_outcome", "none")),
        rule_outputs=list(entry.get("rule_outputs") or []),
        is_active=bool(entry.get("active", True)),
    )
    try:
        # The model's own validation (code format, choices, languages, minutes) is the one the
        # admin applies too; here its first complaint is reported with the file and the code.
        service.full_clean(exclude=["category"], validate_unique=False,
                           validate_constraints=False)
    except ValidationError as exc:
        field, message = _first_error(exc)
        field = {
            "deadline": "deadline.days", "deadline_unit": "deadline.unit",
            "total_minutes": "minutes.total", "is_active": "active",
        }.get(field, field)
        raise CatalogDataError(path, item, field, message) from exc
    return service


_SERVICE_FIELDS = [
    "category", "names", "legal_basis", "intake_channels", "response_channels", "eligible_users",
    "documents", "refusal_grounds", "front_office_minutes", "back_office_minutes",
    "total_minutes", "deadline", "deadline_unit", "fee", "electronisation", "automation",
    "proactive_outcome", "rule_outputs", "is_active",
]


def services_load(*, country: str, data_dir: Path = DATA_DIR) -> int:
    """Upsert the service passports of `country`; returns how many the file holds."""
    path = data_dir / country / "services.yaml"
    data = _read(path, ("country", "services"))
    _check_country(path, data, country)
    documents = _vocabulary(path, data, "documents")
    grounds = _vocabulary(path, data, "refusal_grounds")
    categories = {c.code: c for c in ServiceCategory.objects.all()}
    if not isinstance(data["services"], list):
        raise CatalogDataError(path, "", "services", MSG_NOT_LIST)
    services: list[Service] = []
    seen: set[str] = set()
    for entry in data["services"]:
        service = _service(path, entry, country, categories, documents, grounds)
        if service.code in seen:
            raise CatalogDataError(path, f"service {service.code}", "code", MSG_DUPLICATE)
        seen.add(service.code)
        services.append(service)
    with transaction.atomic():
        for service in services:
            Service.objects.update_or_create(
                country=country, code=service.code,
                defaults={f: getattr(service, f) for f in _SERVICE_FIELDS},
            )
    return len(services)


# --- Holidays -------------------------------------------------------------------------------


def holidays_load(*, country: str, data_dir: Path = DATA_DIR) -> int:
    """Upsert the holidays and transferred days of `country`; returns how many."""
    path = data_dir / country / "holidays.yaml"
    data = _read(path, ("country", "holidays"))
    _check_country(path, data, country)
    names = _vocabulary(path, data, "names")
    if not isinstance(data["holidays"], list):
        raise CatalogDataError(path, "", "holidays", MSG_NOT_LIST)
    rows: dict[dt.date, dict[str, Any]] = {}
    for entry in data["holidays"]:
        if not isinstance(entry, dict):
            raise CatalogDataError(path, "holiday ?", "", MSG_NOT_MAPPING % {
                "keys": "date, kind, name"
            })
        day = entry.get("date")
        item = f"holiday {day}"
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise CatalogDataError(path, item, "date", MSG_NOT_DATE)
        if unknown := sorted(set(entry) - HOLIDAY_KEYS):
            raise CatalogDataError(path, item, unknown[0], MSG_UNKNOWN_KEYS % {
                "keys": ", ".join(unknown)
            })
        if day in rows:
            raise CatalogDataError(path, item, "date", MSG_DUPLICATE)
        kind = entry.get("kind")
        if kind not in HolidayKind.values:
            raise CatalogDataError(path, item, "kind", MSG_UNKNOWN_CHOICE % {
                "value": kind, "allowed": ", ".join(HolidayKind.values),
            })
        if "name" in entry:
            if entry["name"] not in names:
                raise CatalogDataError(path, item, "name", MSG_UNKNOWN_REF % {
                    "what": "name", "code": entry["name"], "section": "names",
                })
            texts = names[entry["name"]]
        else:
            texts = _texts(path, item, "names", entry.get("names"))
        rows[day] = {"kind": kind, "names": texts, "source": str(entry.get("source") or "")}
    with transaction.atomic():
        for day, defaults in rows.items():
            Holiday.objects.update_or_create(country=country, date=day, defaults=defaults)
        # Forget now for the rest of this transaction, and again once it commits, so that no
        # calendar read mid-transaction outlives it.
        calendar_forget(country=country)
        transaction.on_commit(lambda: calendar_forget(country=country))
    return len(rows)


# --- Everything for a country ---------------------------------------------------------------


def catalog_load(*, country: str, data_dir: Path = DATA_DIR) -> int:
    """Load categories, service passports and holidays of `country`; returns the services loaded.

    All three files are loaded in one transaction: a mistake in any of them leaves the
    catalogue as it was.
    """
    return catalog_load_all(country=country, data_dir=data_dir).services


def catalog_load_all(*, country: str, data_dir: Path = DATA_DIR) -> LoadResult:
    """As `catalog_load`, returning the count of each kind of row."""
    if country not in Country.values:
        raise CatalogDataError(data_dir, "", "country", MSG_UNKNOWN_COUNTRY % {"country": country})
    with transaction.atomic():
        categories = categories_load(data_dir=data_dir)
        services = services_load(country=country, data_dir=data_dir)
        holidays = holidays_load(country=country, data_dir=data_dir)
    return LoadResult(categories=categories, services=services, holidays=holidays)
