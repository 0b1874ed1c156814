"""API clients and keys: issue (shown once), check, rotate, revoke; the scopes a client may hold.

A key reads `dost_<prefix>_<secret>`: the prefix finds the row, the SHA-256 digest of the whole
key is compared in constant time. Nothing that could rebuild a key is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.api.models import ApiClient, ApiKey
from dost.api.ratelimit import used_sql, window_now

KEY_PREFIX = "dost"

# resource:action, and resource:read:section for the field-level parts of a person.
SCOPES: dict[str, str] = {
    "persons:read": "identity, birth, sex, residence and current household of a person",
    "persons:read:contact": "a person's phone and e-mail",
    "persons:read:disability": "a person's disability determinations",
    "persons:read:employment": "a person's employment contracts",
    "households:read": "a household and its members",
    "persons:search": "search persons by demographic criteria",
    "events:write": "send life events",
    "decisions:evaluate": "evaluate a service for a household (dry run)",
    "applications:write": "submit an application on behalf of a citizen",
    "applications:read": "read applications and their decisions",
    "decisions:read": "receive decisions made (webhook decision.made)",
    "subscriptions:write": "manage webhook subscriptions",
    "exports:write": "request bulk exports of beneficiaries",
    "awards:read": "a person's awards: service, status, dates and amounts",
    "payments:read": "a person's payments: month, amount, status, paying bank and account",
}

MSG_UNKNOWN_SCOPES = _("Unknown scopes: %(scopes)s.")


@dataclass(frozen=True)
class IssuedKey:
    """The key in clear (give it to the client now; it cannot be shown again) and its row."""

    key: str
    row: ApiKey


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _check_scopes(scopes: list[str]) -> None:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationError(MSG_UNKNOWN_SCOPES % {"scopes": ", ".join(unknown)}, code="scopes")


@transaction.atomic
def client_create(
    *, name: str, sender: str, scopes: list[str], rate_limit_per_minute: int = 600
) -> ApiClient:
    _check_scopes(scopes)
    return ApiClient.objects.create(
        name=name, sender=sender, scopes=sorted(set(scopes)),
        rate_limit_per_minute=rate_limit_per_minute,
    )


@transaction.atomic
def client_scopes_set(*, client: ApiClient, scopes: list[str]) -> ApiClient:
    _check_scopes(scopes)
    client.scopes = sorted(set(scopes))
    client.save(update_fields=["scopes", "updated_at"])
    return client


@transaction.atomic
def key_issue(*, client: ApiClient, expires_at: dt.datetime | None = None) -> IssuedKey:
    """A new key for the client; earlier keys keep working until revoked."""
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey.objects.create(
        client=client, prefix=prefix, digest=key_digest(key), expires_at=expires_at
    )
    return IssuedKey(key=key, row=row)


@transaction.atomic
def key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


@transaction.atomic
def key_rotate(*, key: ApiKey, overlap: dt.timedelta = dt.timedelta(days=7)) -> IssuedKey:
    """Issue a successor and let the old key expire after `overlap`, so the client can switch
    without downtime; a zero overlap ends the old key at once."""
    new = key_issue(client=key.client)
    ends = timezone.now() + overlap
    if key.expires_at is None or key.expires_at > ends:
        key.expires_at = ends
        key.save(update_fields=["expires_at"])
    return new


# The client's fields an API call uses; the rest stay deferred (loaded only if read).
_CLIENT_FIELDS = ("id", "name", "sender", "scopes", "rate_limit_per_minute", "is_active")


@cache
def _key_sql(vendor: str) -> str:
    # Built once per database vendor, not on every call.
    qn = connection.ops.quote_name
    key, client = ApiKey._meta.db_table, ApiClient._meta.db_table
    columns = ", ".join(f"c.{qn(name)}" for name in _CLIENT_FIELDS)
    used = used_sql(vendor, f"c.{qn('id')}")
    # Quoted identifiers from the models only; the window and the prefix are parameters.
    return (
        f"SELECT {columns}, {used}, k.{qn('digest')} "  # noqa: S608
        f"FROM {qn(key)} k JOIN {qn(client)} c ON c.{qn('id')} = k.{qn('client_id')} "
        f"WHERE k.{qn('prefix')} = %s AND k.{qn('revoked_at')} IS NULL AND c.{qn('is_active')} "
        f"AND (k.{qn('expires_at')} IS NULL OR k.{qn('expires_at')} > %s)"
    )


@dataclass(frozen=True)
class KeyCheck:
    """The client holding a valid key, and its calls counted in the current rate-limit window
    (`dost.api.ratelimit`) with the seconds until the next one."""

    client: ApiClient
    used: int
    window_left: int

    @property
    def over_limit(self) -> bool:
        return self.used >= self.client.rate_limit_per_minute


def key_check(key: str) -> KeyCheck | None:
    """The active client holding this unrevoked, unexpired key and its calls this minute, or
    None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or len(parts[1]) > 16:
        return None
    # One hand-written query for key, client, scopes and the calls counted this minute, checked
    # on every call (a revoked key stops at once; no cache): a queryset, even a raw one, costs
    # more CPU to build and to turn into a model than the database spends answering
    # (docs/performance.md, API).
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    window, window_left = window_now()
    with connection.cursor() as cursor:
        cursor.execute(_key_sql(connection.vendor), [window, parts[1], now])
        row = cursor.fetchone()
    if row is None or not hmac.compare_digest(row[-1], key_digest(key)):
        return None
    values = list(row[: len(_CLIENT_FIELDS)])
    scopes = values[_CLIENT_FIELDS.index("scopes")]
    if isinstance(scopes, str | bytes):  # JSON comes back as text through a bare cursor
        values[_CLIENT_FIELDS.index("scopes")] = json.loads(scopes)
    values[_CLIENT_FIELDS.index("is_active")] = bool(values[_CLIENT_FIELDS.index("is_active")])
    client = ApiClient.from_db(connection.alias, list(_CLIENT_FIELDS), values)
    return KeyCheck(client=client, used=int(row[len(_CLIENT_FIELDS)]), window_left=window_left)


def key_authenticate(key: str) -> ApiClient | None:
    """The active client holding this unrevoked, unexpired key, or None."""
    checked = key_check(key)
    return checked.client if checked is not None else None
