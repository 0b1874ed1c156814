"""Crossing entities: members aggregated into households, households broadcast to members."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from dost.rules import evaluate_case, evaluate_population, parse_case
from dost.rules.tests.toybook import frames, toybook

OUTPUTS = [
    "size", "total_income", "anyone_excluded", "all_counted", "max_points", "min_points",
    "head_income", "amount", "share",
]  # fmt: skip


def population(
    persons: Sequence[Mapping[str, Any]],
    households: Sequence[Mapping[str, Any]],
    period: str = "2025-03",
) -> tuple[pl.DataFrame, pl.DataFrame]:
    p, h = frames(persons, households)
    people, homes = pl.collect_all(list(evaluate_population(toybook(), period, p, h, OUTPUTS)))
    return people.sort("person_id"), homes.sort("household_id")


def test_it_aggregates_members_with_filters_and_the_head() -> None:
    persons = [
        {
            "person_id": 1,
            "household_id": 10,
            "role": "child",
            "income": 50.0,
            "excluded": False,
            "points": 3,
        },
        {
            "person_id": 2,
            "household_id": 10,
            "role": "head",
            "income": 30.0,
            "excluded": False,
            "points": 9,
        },
        {
            "person_id": 3,
            "household_id": 10,
            "role": "other",
            "income": 1000.0,
            "excluded": True,
            "points": 1,
        },
        {
            "person_id": 4,
            "household_id": 20,
            "role": "head",
            "income": 0.0,
            "excluded": False,
            "points": None,
        },
    ]
    _, homes = population(
        persons, [{"household_id": 10, "cars": 0}, {"household_id": 20, "cars": 0}]
    )
    first, second = homes.to_dicts()
    # Household 10: counted members 1 and 2 (3 is excluded); their income 50 + 30 = 80.
    assert first["size"] == 2
    assert first["total_income"] == 80.0
    assert first["anyone_excluded"] is True
    assert first["all_counted"] is False
    assert (first["max_points"], first["min_points"]) == (9, 1)
    assert first["head_income"] == 30.0
    # 2 × 120 (criterion from 2025-01-01) − 80 = 160.
    assert first["amount"] == 160.0
    assert second["size"] == 1
    assert second["amount"] == 120.0
    assert second["max_points"] is None


def test_it_gives_households_without_members_the_empty_aggregates() -> None:
    persons = [
        {
            "person_id": 1,
            "household_id": 10,
            "role": "head",
            "income": 0.0,
            "excluded": False,
            "points": 1,
        }
    ]
    _, homes = population(
        persons, [{"household_id": 10, "cars": 0}, {"household_id": 99, "cars": 0}]
    )
    empty = homes.filter(pl.col("household_id") == 99).to_dicts()[0]
    assert (empty["size"], empty["total_income"]) == (0, 0.0)
    assert (empty["anyone_excluded"], empty["all_counted"]) == (False, True)
    assert empty["head_income"] is None
    assert empty["amount"] == 0.0


def test_it_broadcasts_the_household_value_to_every_member() -> None:
    persons = [
        {
            "person_id": 1,
            "household_id": 10,
            "role": "head",
            "income": 0.0,
            "excluded": False,
            "points": 1,
        },
        {
            "person_id": 2,
            "household_id": 10,
            "role": "child",
            "income": 0.0,
            "excluded": False,
            "points": 1,
        },
        {
            "person_id": 3,
            "household_id": 20,
            "role": "head",
            "income": 0.0,
            "excluded": False,
            "points": 1,
        },
    ]
    people, _ = population(
        persons, [{"household_id": 10, "cars": 0}, {"household_id": 20, "cars": 1}]
    )
    # Household 10: 2 × 120 = 240 for each member; household 20 has a car: 0.
    assert people["share"].to_list() == [240.0, 240.0, 0.0]


member = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["head", "spouse", "child", "other"]),
        "income": st.floats(min_value=0, max_value=500, allow_nan=False).map(lambda x: round(x, 2)),
        "excluded": st.booleans(),
        "points": st.one_of(st.none(), st.integers(min_value=0, max_value=30)),
    }
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=2), st.lists(member, max_size=5)),
        min_size=1,
        max_size=6,
    )
)
def test_it_gives_one_household_the_same_answer_as_the_population_run(
    households: list[tuple[int, list[dict[str, object]]]],
) -> None:
    persons: list[dict[str, object]] = []
    homes = [
        {"household_id": hid, "cars": cars} for hid, (cars, _) in enumerate(households, start=1)
    ]
    for hid, (_, people) in enumerate(households, start=1):
        persons += [
            {**p, "household_id": hid, "person_id": len(persons) + i + 1}
            for i, p in enumerate(people)
        ]
    people_out, homes_out = population(persons, homes)
    book = toybook()
    for hid, (cars, people) in enumerate(households, start=1):
        mine = [p for p in persons if p["household_id"] == hid]
        case = parse_case(
            {"household": {"household_id": hid, "cars": cars}, "persons": mine}, book.variables
        )
        one = evaluate_case(book, case, "2025-03", OUTPUTS).outputs
        row = homes_out.filter(pl.col("household_id") == hid).to_dicts()[0]
        for name in (
            "size",
            "total_income",
            "anyone_excluded",
            "all_counted",
            "max_points",
            "amount",
        ):
            assert one[name] == row[name], name
        shares = people_out.filter(pl.col("household_id") == hid)
        assert one["share"] == dict(zip(shares["person_id"], shares["share"], strict=True))
        assert len(people) == shares.height
