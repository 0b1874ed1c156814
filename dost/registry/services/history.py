"""The change log: every write to registry data leaves a `RegistryChange` with before and after.

Each service that writes registry rows receives a `ChangeContext` saying who is writing, why and on
what authority (a life event, an approved change request, an import batch). The context also fills
the provenance columns of new facts, so a fact and its change-log row always agree.

`RegistryChange.model` holds the model's label (``"registry.Person"``) and `object_id` its primary
key; `before`/`after` hold only the fields that changed, as JSON (dates ISO, money as strings,
foreign keys as primary keys). A created row has ``before = None``, and nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models

from dost.bulk import insert_rows
from dost.registry.models import (
    ChangeRequest,
    ImportBatch,
    LifeEvent,
    RegistryChange,
    Source,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

JSONValue = str | int | float | bool | None
FieldValues = dict[str, JSONValue]

# Bookkeeping columns that are not registry data: they change on every save or are the key.
_NOT_TRACKED = frozenset({"id", "created_at", "updated_at", "recorded_at"})
_REASON_MAX = RegistryChange._meta.get_field("reason").max_length or 300


@dataclass(frozen=True)
class ChangeContext:
    """Who writes, why, and on whose authority; passed to every registry write service."""

    source: Source
    actor: User | None = None
    reason: str = ""
    life_event: LifeEvent | None = None
    change_request: ChangeRequest | None = None
    import_batch: ImportBatch | None = None

    @property
    def short_reason(self) -> str:
        return self.reason[:_REASON_MAX]

    def fact_provenance(self) -> dict[str, Any]:
        """The `Fact` columns that say who recorded a fact, from where and why."""
        return {
            "source": self.source,
            "recorded_by": self.actor,
            "reason": self.short_reason,
            "life_event": self.life_event,
        }


def json_value(value: object) -> JSONValue:
    """A field value as JSON: dates ISO, decimals as exact strings."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def tracked_fields(instance: models.Model) -> list[models.Field[Any, Any]]:
    return [
        f for f in instance._meta.concrete_fields if f.name not in _NOT_TRACKED
    ]


def field_values(instance: models.Model, names: Iterable[str] | None = None) -> FieldValues:
    """The instance's tracked fields (or just `names`) as JSON, foreign keys as their key."""
    wanted = None if names is None else set(names)
    return {
        f.name: json_value(getattr(instance, f.attname))
        for f in tracked_fields(instance)
        if wanted is None or f.name in wanted
    }


def normalised_value(field: models.Field[Any, Any], value: object) -> object:
    """The value as the field stores it, so comparison with the stored value is exact."""
    if field.is_relation or value is None:
        return value
    value = field.to_python(value)
    if isinstance(field, models.DecimalField) and isinstance(value, Decimal):
        value = value.quantize(Decimal(1).scaleb(-(field.decimal_places or 0)))
    return value


def registry_change_record(
    *,
    ctx: ChangeContext,
    instance: models.Model,
    before: FieldValues | None,
    after: FieldValues | None,
) -> RegistryChange:
    """Append one row to the change log; the only place `RegistryChange` rows are written."""
    return RegistryChange.objects.create(
        actor=ctx.actor,
        source=ctx.source,
        reason=ctx.short_reason,
        life_event=ctx.life_event,
        change_request=ctx.change_request,
        import_batch=ctx.import_batch,
        model=instance._meta.label,
        object_id=instance.pk,
        before=before,
        after=after,
    )


def registry_changes_record(
    changes: Iterable[tuple[ChangeContext, models.Model, FieldValues | None, FieldValues | None]],
) -> list[RegistryChange]:
    """Append many rows to the change log in one statement, in the given order.

    The bulk twin of `registry_change_record` (for `bulk.WriteBuffer`): the same columns, each
    row taken from its (context, saved instance, before, after).
    """
    return insert_rows([
        RegistryChange(
            actor=ctx.actor, source=ctx.source, reason=ctx.short_reason,
            life_event=ctx.life_event, change_request=ctx.change_request,
            import_batch=ctx.import_batch, model=instance._meta.label, object_id=instance.pk,
            before=before, after=after,
        )
        for ctx, instance, before, after in changes
    ])


def instance_diff(
    instance: models.Model, changes: dict[str, Any]
) -> tuple[FieldValues, FieldValues]:
    """Set `changes` on `instance` (not saved); return the fields that differ, before and after.

    Values are compared as their JSON form so that ``Decimal("5")`` and ``"5.00"`` or an object
    and its key do not count as a change.
    """
    fields = {f.name: f for f in tracked_fields(instance)}
    before: FieldValues = {}
    after: FieldValues = {}
    for name, value in changes.items():
        field = fields[name]
        old = json_value(getattr(instance, field.attname))
        setattr(instance, name, normalised_value(field, value))
        new = json_value(getattr(instance, field.attname))
        if old != new:
            before[name] = old
            after[name] = new
    return before, after


def has_updated_at(model: type[models.Model]) -> bool:
    return any(f.name == "updated_at" for f in model._meta.concrete_fields)


def instance_update(
    *, ctx: ChangeContext, instance: models.Model, changes: dict[str, Any]
) -> RegistryChange | None:
    """Set `changes` on `instance`, save only what differs and log it; None if nothing changed.

    Values are compared as in `instance_diff`.
    """
    before, after = instance_diff(instance, changes)
    if not after:
        return None
    update_fields = list(after)
    if has_updated_at(type(instance)):
        update_fields.append("updated_at")
    instance.save(update_fields=update_fields)
    return registry_change_record(ctx=ctx, instance=instance, before=before, after=after)
