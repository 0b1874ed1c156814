"""The two entities of every rulebook and the membership that links them."""

from __future__ import annotations

from enum import StrEnum


class Entity(StrEnum):
    PERSON = "person"
    HOUSEHOLD = "household"


PERSON = Entity.PERSON
HOUSEHOLD = Entity.HOUSEHOLD

# Key columns fixed by docs/snapshot.md; the engine carries them through every step.
PERSON_KEY = "person_id"
HOUSEHOLD_KEY = "household_id"
ROLE = "role"
ROLES = ("head", "spouse", "child", "parent", "other")
