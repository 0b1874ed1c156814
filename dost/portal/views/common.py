"""What every cabinet view starts from: the signed-in citizen and their household today."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, QueryDict

from dost.portal import selectors
from dost.registry.models import Household, Membership, Person


@dataclass(frozen=True)
class Citizen:
    person: Person
    membership: Membership | None

    @property
    def household(self) -> Household | None:
        return self.membership.household if self.membership else None


def citizen_of(request: HttpRequest) -> Citizen:
    person = selectors.citizen_person(request.user)
    return Citizen(person=person, membership=selectors.household_membership(person=person))


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to: an empty POST is still a submission (of nothing)."""
    return request.POST if request.method == "POST" else None
