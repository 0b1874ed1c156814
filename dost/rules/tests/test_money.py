"""Money: floats throughout, sums over members rounded to the cent, every computed amount
rounded to the cent where it is computed, half away from zero at the decimal half cent."""

from __future__ import annotations

import itertools
import math
import random
import struct
from typing import Literal

import polars as pl

from dost.rules import (
    HOUSEHOLD,
    MONEY,
    NUMBER,
    PERSON,
    Formula,
    evaluate_case,
    evaluate_population,
    parse_case,
    variable,
)
from dost.rules.evaluate import runs_of
from dost.rules.tests.toybook import frames, lab, toybook
from dost.rules.valuetypes import MINOR_UNITS, TIE_TOLERANCE, round_money


@variable(PERSON, MONEY, label=lab("Tiny"), reference="R")
def tiny(f: Formula) -> pl.Expr:
    return f.var("income") * 0.001


@variable(PERSON, MONEY, label=lab("Doubled"), reference="R")
def doubled(f: Formula) -> pl.Expr:
    return f.var("tiny") * 2


def outputs(income: float, names: list[str]) -> dict[str, object]:
    book = toybook([tiny, doubled])
    case = parse_case({"persons": [{"person_id": 1, "income": income}]}, book.variables)
    return evaluate_case(book, case, "2025-03", names).outputs


def test_it_rounds_every_amount_where_it_is_computed() -> None:
    # tiny = 4 × 0.001 = 0.004 → 0.00, and doubled uses the 0.00 an explanation shows:
    # 0.00 × 2 = 0.00 (rounding only at the end would give 0.008 → 0.01, which the shown
    # tiny could not explain).
    assert outputs(4.0, ["tiny", "doubled"]) == {"tiny": {1: 0.0}, "doubled": {1: 0.0}}


def test_it_rounds_half_away_from_zero() -> None:
    # tiny = 5 × 0.001 = 0.005 → 0.01 (banker's rounding would give 0.00); doubled 0.02.
    assert outputs(5.0, ["tiny", "doubled"]) == {"tiny": {1: 0.01}, "doubled": {1: 0.02}}


# --- Half-cent ties and the order members are added in -------------------------------------

MONTHS = 12


@variable(HOUSEHOLD, MONEY, label=lab("Average"), reference="Toy Act s.4")
def average(f: Formula) -> pl.Expr:
    return f.var("total_income") / MONTHS


@variable(HOUSEHOLD, MONEY, label=lab("Owed"), reference="Toy Act s.4")
def owed(f: Formula) -> pl.Expr:
    return f.var("size") * f.param("toy.criterion") - f.var("average")


@variable(HOUSEHOLD, NUMBER, label=lab("Sum as read"), reference="R")
def sum_as_read(f: Formula) -> pl.Expr:
    # Not money, so not rounded at the output: shows the sum exactly as formulas read it.
    return f.var("total_income")


TIES = ["total_income", "average", "owed", "sum_as_read"]


def test_round_money_rounds_decimal_half_cents_away_from_zero() -> None:
    # 1.005, 2.675 and 587.495 are held just below their half cent in float, 312.505 and
    # 0.125 at or above it; each is a half cent in decimal, so each goes up (down if negative).
    values = [1.005, 2.675, -2.675, 0.125, 312.505, 587.495, 1.00499, -0.001, None]
    frame = pl.DataFrame({"x": values}, schema={"x": pl.Float64})
    got = frame.select(round_money(pl.col("x"))).to_series().to_list()
    assert got == [1.01, 2.68, -2.68, 0.13, 312.51, 587.5, 1.0, 0.0, None]
    assert str(got[-2]) == "0.0"  # never -0.0
    # Polars rounds the float, not the decimal: some of these go down.
    plain = frame.select(pl.col("x").round(2, mode="half_away_from_zero")).to_series().to_list()
    assert plain != got


def test_money_sums_are_whole_cents_so_the_order_of_members_does_not_matter() -> None:
    # 2400.06 + 999.99 + 350.01 added in this order is 3750.0600000000004, in the reverse
    # order 3750.06: a last bit apart. Rounded to the cent, both are 3750.06; ÷ 12 = 312.505
    # exactly (375006 cents ≡ 6 mod 12) → 312.51; 3 × 120 − 312.51 = 47.49.
    book = toybook([average, owed, sum_as_read], outputs=TIES)
    incomes = [2400.06, 999.99, 350.01]
    seen = set()
    for order in itertools.permutations(range(3)):
        persons = [{"person_id": i + 1, "income": incomes[i]} for i in order]
        case = parse_case({"persons": persons}, book.variables)
        result = evaluate_case(book, case, "2025-03", explain=True)
        seen.add(tuple(result.outputs[n] for n in TIES))
    assert seen == {(3750.06, 312.51, 47.49, 3750.06)}


def tie_population(seed: int, households: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Households of 1–6 members whose income in cents is ≡ 6 mod 12: every average is an
    exact half cent. Members sorted by household (the aligned layout)."""
    rng = random.Random(seed)
    persons: list[dict[str, object]] = []
    for home in range(1, households + 1):
        cents = [rng.randint(1, 100_000) for _ in range(rng.randint(1, 6))]
        cents[0] += (6 - sum(cents)) % 12
        for cent in cents:
            persons.append(
                {
                    "person_id": len(persons) + 1,
                    "household_id": home,
                    "role": "other",
                    "income": cent / 100,
                    "excluded": False,
                    "points": 0,
                }
            )
    return frames(persons, [{"household_id": h, "cars": 0} for h in range(1, households + 1)])


def test_every_path_gives_the_same_cents_at_half_cent_ties() -> None:
    book = toybook([average, owed, sum_as_read], outputs=TIES)
    persons, homes = tie_population(7, 3000)
    assert runs_of(persons, homes) is not None  # the segments path below

    def run(
        p: pl.DataFrame | pl.LazyFrame,
        h: pl.DataFrame | pl.LazyFrame,
        engine: Literal["auto", "in-memory"] = "auto",
    ) -> pl.DataFrame:
        _, out = evaluate_population(book, "2025-03", p, h, TIES)
        return out.collect(engine=engine).sort("household_id")

    segments = run(persons, homes)
    grouped = run(persons.lazy(), homes.lazy())  # lazy frames: the group-by
    in_memory = run(persons.lazy(), homes.lazy(), engine="in-memory")
    # Members shuffled: not aligned, so the group-by, adding in another order.
    shuffled = persons.sample(fraction=1.0, shuffle=True, seed=11)
    assert runs_of(shuffled, homes) is None
    scattered = run(shuffled, homes)
    assert segments.equals(grouped) and segments.equals(in_memory)
    assert segments.equals(scattered)
    # Worked in integer cents: s ≡ 6 mod 12, so s/12 is a half cent; half up gives the
    # average (s + 6) // 12, and the amount uses that average: size × 12000 − (s + 6) // 12.
    # Python's k / 100 is the float nearest k/100 (Polars' division by a constant is not).
    cents: dict[int, list[int]] = {}
    for home, income in persons.select("household_id", "income").iter_rows():
        cents.setdefault(home, []).append(round(income * 100))
    expected = []
    for home in sorted(cents):
        s, size = sum(cents[home]), len(cents[home])
        assert s % 12 == 6
        expected.append(
            (home, s / 100, (s + 6) // 12 / 100, (size * 12000 - (s + 6) // 12) / 100, s / 100)
        )
    assert segments.select("household_id", *TIES).rows() == expected
    # One household at a time, members in reverse: the same cents.
    for home in range(1, 3001, 97):
        members_ = persons.filter(pl.col("household_id") == home).reverse()
        case = parse_case(
            {"household": {"household_id": home}, "persons": members_.to_dicts()},
            book.variables,
        )
        got = evaluate_case(book, case, "2025-03").outputs
        row = segments.row(home - 1, named=True)
        assert got == {n: row[n] for n in TIES}


def reference_round(values: list[float | None]) -> list[float | None]:
    """``round_money``'s formula written as Polars expressions, as the engine first had it:
    floor(|x| × 100 + 0.5 + tolerance), the sign put back (never on zero), ÷ 100, to 2 places."""
    scaled = pl.col("x") * MINOR_UNITS
    units = (scaled.abs() + (0.5 + TIE_TOLERANCE)).floor()
    signed = pl.when((scaled < 0) & (units > 0)).then(-units).otherwise(units)
    frame = pl.DataFrame({"x": pl.Series(values, dtype=pl.Float64)})
    out: list[float | None] = frame.select((signed / MINOR_UNITS).round(2)).to_series().to_list()
    return out


def test_round_money_gives_its_formula_bit_for_bit_over_chunked_columns() -> None:
    rng = random.Random(4)
    values: list[float | None] = [0.0, -0.0, -0.004, -0.005, 0.005, math.inf, -math.inf, math.nan]
    values += [rng.lognormvariate(3, 4) * rng.choice([1, -1]) for _ in range(3000)]
    values += [rng.randint(-(10**9), 10**9) / rng.choice([12, 100, 200, 3]) for _ in range(3000)]
    values += [None] * 20
    rng.shuffle(values)
    column = pl.concat(
        [
            pl.Series("x", values[a:b], dtype=pl.Float64)
            for a, b in ((0, 7), (7, 4000), (4000, None))
        ],
        rechunk=False,
    )
    assert column.n_chunks() == 3

    def bits(values: list[float | None]) -> list[bytes | None]:
        return [None if v is None else struct.pack("<d", v) for v in values]

    got = pl.select(round_money(pl.lit(column))).to_series().to_list()
    assert bits(got) == bits(reference_round(values))
    # A few values (one household) take a path of their own: the same bits.
    few = [*values[:8], 0.0, -0.0, -0.004, -0.005, 674.365, math.inf, -math.inf, math.nan, None]
    small = pl.select(round_money(pl.lit(pl.Series(few, dtype=pl.Float64)))).to_series()
    assert bits(small.to_list()) == bits(reference_round(few))
