"""Registry writes staged in memory and written together: the bulk twin of `persons` + `history`.

A batch of life events (`events.events_ingest_batch`) decides its events in Python against rows
it read once, stages the writes here and writes them in a few statements (`WriteBuffer.flush`):
one INSERT per model for new persons, memberships and facts, one UPDATE per model and set of
changed fields, and one INSERT for all their change-log rows, in the order they were staged.
Rows are built and validated by the same functions as the one-by-one writes (`person_build`,
`fact_build`, `instance_diff`), so what is written is what those would have written; only the
statements differ. Callers check what the one-by-one services check (`membership_end_check`,
`fact_close_check`, …) before staging, so a refused write stages nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils import timezone

from dost.bulk import insert_rows, update_rows
from dost.registry.models import Fact, Household, Membership, Person, Role
from dost.registry.services.history import (
    ChangeContext,
    FieldValues,
    field_values,
    has_updated_at,
    instance_diff,
    json_value,
    registry_changes_record,
)
from dost.registry.services.persons import fact_build, person_build

# Database constraints of fact models that the event payloads already guarantee (the payload
# shapes bound the same values), so staged facts skip Django's query per constraint. A fact
# model with any other constraint is validated against the database as `fact_add` does.
CONSTRAINTS_GUARANTEED = frozenset({"impairment_at_most_100"})

# Parents before children, so a staged row's foreign keys point at saved rows.
_INSERT_ORDER: dict[type[Model], int] = {Household: 0, Person: 1, Membership: 2}


@dataclass
class _Logged:
    ctx: ChangeContext
    instance: Model
    before: FieldValues | None
    after: FieldValues | None
    # Foreign keys to rows staged in the same flush: their keys are known only once written.
    deferred: tuple[str, ...] = ()


class WriteBuffer:
    """New and changed registry rows and their change-log rows, waiting for `flush`."""

    def __init__(self) -> None:
        self._new: dict[type[Model], list[Model]] = {}
        self._new_ids: set[int] = set()
        self._changed: dict[int, tuple[Model, set[str]]] = {}
        self._log: list[_Logged] = []

    def __bool__(self) -> bool:
        return bool(self._log)

    def _create(self, ctx: ChangeContext, instance: Model) -> None:
        deferred = tuple(
            f.name
            for f in instance._meta.concrete_fields
            if f.is_relation
            and f.is_cached(instance)  # type: ignore[attr-defined]
            and (related := getattr(instance, f.name)) is not None
            and related.pk is None
        )
        self._new.setdefault(type(instance), []).append(instance)
        self._new_ids.add(id(instance))
        # The first `after` is the row as created, before any later change staged for it.
        self._log.append(_Logged(ctx, instance, None, field_values(instance), deferred))

    def person_new(self, *, ctx: ChangeContext, **fields: Any) -> Person:
        """Stage `persons.person_create`; the caller has checked the personal ID is free."""
        person = person_build(validate_unique=False, **fields)
        self._create(ctx, person)
        return person

    def membership_new(
        self,
        *,
        ctx: ChangeContext,
        person: Person,
        household: Household,
        role: Role | str,
        joined_on: dt.date,
    ) -> Membership:
        """Stage the insert of `persons.membership_start`; the caller has done its checks."""
        membership = Membership(person=person, household=household, role=role, joined_on=joined_on)
        self._create(ctx, membership)
        return membership

    def fact_new[F: Fact](self, *, ctx: ChangeContext, model: type[F], **fields: Any) -> F:
        """Build and validate a fact as `persons.fact_add` does; stage it with `fact_stage`."""
        guaranteed = {c.name for c in model._meta.constraints} <= CONSTRAINTS_GUARANTEED
        return fact_build(ctx=ctx, model=model, validate_constraints=not guaranteed, **fields)

    def fact_stage(self, ctx: ChangeContext, fact: Fact) -> None:
        self._create(ctx, fact)

    def change(self, *, ctx: ChangeContext, instance: Model, changes: dict[str, Any]) -> bool:
        """Stage `history.instance_update`: set the changes, log what differs; False if nothing."""
        before, after = instance_diff(instance, changes)
        if not after:
            return False
        if id(instance) not in self._new_ids:  # a new row is inserted as it is at flush
            _row, fields = self._changed.setdefault(id(instance), (instance, set()))
            fields.update(after)
        self._log.append(_Logged(ctx, instance, before, after))
        return True

    def flush(self) -> None:
        """Write everything staged: inserts per model, updates per model and fields, the log."""
        for model in sorted(self._new, key=lambda m: _INSERT_ORDER.get(m, 9)):
            insert_rows(self._new[model])  # sets the keys of the rows
        groups: dict[tuple[type[Model], frozenset[str]], list[Model]] = {}
        for instance, fields in self._changed.values():
            groups.setdefault((type(instance), frozenset(fields)), []).append(instance)
        now = timezone.now()
        for (model, changed), rows in groups.items():
            names = sorted(changed)
            if has_updated_at(model):
                for row in rows:
                    row.updated_at = now  # type: ignore[attr-defined]  # save() would set it
                names.append("updated_at")
            update_rows(rows, names)
        for entry in self._log:
            if entry.deferred and entry.after is not None:
                for name in entry.deferred:
                    field = entry.instance._meta.get_field(name)
                    entry.after[name] = json_value(getattr(entry.instance, field.attname))  # type: ignore[union-attr]
        registry_changes_record((e.ctx, e.instance, e.before, e.after) for e in self._log)
        self.discard()

    def discard(self) -> None:
        """Forget everything staged (after `flush`, or when the caller gives up on it)."""
        self._new = {}
        self._new_ids = set()
        self._changed = {}
        self._log = []
