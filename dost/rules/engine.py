"""The two ways to evaluate a rulebook: a whole population, or one household explained."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from dost.rules.cases import Case
from dost.rules.entities import HOUSEHOLD, HOUSEHOLD_KEY, PERSON, PERSON_KEY
from dost.rules.errors import CaseError
from dost.rules.evaluate import (
    crosses,
    input_columns,
    outputs_of,
    require_columns,
    run_eager,
    run_lazy,
    runs_in_scan,
    runs_of,
)
from dost.rules.explain import Explanation, Node, plain
from dost.rules.periods import Period
from dost.rules.plan import Plan
from dost.rules.rulebook import Rulebook
from dost.rules.segments import Runs, RunsOfScan
from dost.rules.valuetypes import MONEY, round_money

Frame = pl.DataFrame | pl.LazyFrame


def evaluate_population(
    book: Rulebook,
    period: Period | str,
    persons: Frame,
    households: Frame,
    outputs: Iterable[str] | None = None,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Lazy frames of person outputs (person_id, household_id, ...) and household outputs.

    Nothing runs until they are collected; collect both with ``pl.collect_all`` so the
    shared part of the plan runs once. Given data frames (not lazy ones) whose members are
    sorted by household, in the households' order, members are aggregated run by run and
    household values reach them by a gather, with no hashing or joins (``runs_of``).
    """
    plan = book.compile(period, outputs)
    runs = (
        runs_of(persons, households)
        if crosses(plan)
        and isinstance(persons, pl.DataFrame)
        and isinstance(households, pl.DataFrame)
        else None
    )
    return _population(book, plan, persons.lazy(), households.lazy(), runs)


def _population(
    book: Rulebook,
    plan: Plan,
    persons: pl.LazyFrame,
    households: pl.LazyFrame,
    runs: Runs | RunsOfScan | None,
    person_key: bool = True,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    vars_ = dict(book.variables)
    p, h = run_lazy(plan, persons, households, runs=runs, person_key=person_key)
    return p.select(outputs_of(plan, PERSON, vars_)), h.select(outputs_of(plan, HOUSEHOLD, vars_))


def person_outputs(book: Rulebook, plan: Plan) -> tuple[str, ...]:
    """The plan's outputs that are person variables."""
    return tuple(n for n in plan.outputs if book.variables[n].entity is PERSON)


def run_snapshot(
    book: Rulebook,
    period: Period | str,
    snapshot: Path,
    output: Path,
    outputs: Iterable[str] | None = None,
) -> tuple[int, int]:
    """Evaluate ``snapshot/{persons,households}.parquet``; write the results to ``output``.

    Writes ``households.parquet`` (household_id and the household outputs) and, only when
    some output is a person variable, ``persons.parquet`` (person_id, household_id and the
    person outputs); otherwise a ``persons.parquet`` left in ``output`` by an earlier run is
    removed, so the directory never mixes two runs. Returns the person and household counts.

    Only the columns the outputs need are read (the persons' key only for person results;
    the scans stream). Members sorted by household (what the snapshot writers produce) are
    aggregated run by run (``evaluate_population``); when every crossing is an aggregation
    with a run form (``runs_in_scan``), the members' runs are found in the scan itself, and
    members that turn out not to be sorted are evaluated again by the group-by. The person
    file is written with LZ4 (person outputs are mostly zeros: ~9× smaller, a third less CPU
    than zstd); the household file uncompressed (its amounts compress ~2×, and LZ4 would
    double the CPU of writing it: ~0.1 s of a 10M-person TSSA run).
    """
    plan = book.compile(period, outputs)
    with_persons = bool(person_outputs(book, plan)) or PERSON_KEY in plan.needed
    paths = {name: snapshot / f"{name}.parquet" for name in ("persons", "households")}
    # The files' own schemas first, for a clear message when a column is missing.
    require_columns(
        plan,
        list(pl.read_parquet_schema(paths["persons"])),
        list(pl.read_parquet_schema(paths["households"])),
        person_key=with_persons,
    )
    persons, households = (pl.scan_parquet(paths[n]) for n in ("persons", "households"))
    runs: Runs | RunsOfScan | None = None
    if runs_in_scan(plan):
        # The households' key first (a quarter of the rows); the members' is read with their
        # other columns and their runs found there. Households whose key is all the plan
        # reads of them are not read twice.
        keys = households.select(HOUSEHOLD_KEY).collect()
        if input_columns(plan, HOUSEHOLD) == [HOUSEHOLD_KEY]:
            households = keys.lazy()
        runs = RunsOfScan(keys.get_column(HOUSEHOLD_KEY))
    elif crosses(plan):
        # The keys alone first (~0.06 CPU s at 10M members), so that the scans below stream:
        # reading every needed column whole would double the peak memory of the az rulebook.
        both = pl.collect_all([scan.select(HOUSEHOLD_KEY) for scan in (persons, households)])
        runs = runs_of(both[0], both[1])
    try:
        people, homes = _results(book, plan, persons, households, runs, with_persons)
    except Exception:
        if not (isinstance(runs, RunsOfScan) and runs.aligned is False):
            raise
        # Members not in the households' order (a snapshot from elsewhere): the group-by.
        runs = None
        people, homes = _results(book, plan, persons, households, runs, with_persons)
    output.mkdir(parents=True, exist_ok=True)
    if people is not None:
        people.write_parquet(output / "persons.parquet", compression="lz4")
    else:
        (output / "persons.parquet").unlink(missing_ok=True)
    homes.write_parquet(output / "households.parquet", compression="uncompressed")
    if isinstance(runs, RunsOfScan):
        runs = runs.found
    count = runs.rows if runs is not None else persons.select(pl.len()).collect().item()
    return count, homes.height


def _results(
    book: Rulebook,
    plan: Plan,
    persons: pl.LazyFrame,
    households: pl.LazyFrame,
    runs: Runs | RunsOfScan | None,
    with_persons: bool,
) -> tuple[pl.DataFrame | None, pl.DataFrame]:
    """The person results (None without person outputs) and the household results."""
    people_lf, homes_lf = _population(book, plan, persons, households, runs, with_persons)
    if not with_persons:
        return None, homes_lf.collect()
    people, homes = pl.collect_all([people_lf, homes_lf])
    return people, homes


@dataclass(frozen=True)
class CaseResult:
    """What a decision stores: rulebook version, outputs, every parameter value used."""

    rulebook: str
    version: str
    reform: str | None
    period: str
    household_id: int
    outputs: dict[str, Any]  # household outputs as values, person outputs as {person_id: value}
    parameters: dict[str, dict[str, Any]]  # name -> value, unit, valid_from, citation
    explanation: Explanation | None = None

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        out: dict[str, Any] = {
            "rulebook": self.rulebook,
            "version": self.version,
            "reform": self.reform,
            "period": self.period,
            "household_id": self.household_id,
            "outputs": self.outputs,
            "parameters": self.parameters,
        }
        if self.explanation is not None:
            out["explanation"] = self.explanation.to_json(lang)
        return out


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def evaluate_case(
    book: Rulebook,
    case: Case,
    period: Period | str | None = None,
    outputs: Iterable[str] | None = None,
    explain: bool = False,
) -> CaseResult:
    """Evaluate one household; with ``explain`` also build its explanation tree."""
    chosen = period or case.period
    if chosen is None:
        raise CaseError("no period: give one in the case or as an argument")
    wanted = tuple(outputs) if outputs is not None else case.outputs
    plan = book.compile(chosen, wanted)
    persons, household = run_eager(plan, case.persons, case.household)
    vars_ = dict(book.variables)
    money = [n for n in plan.needed if vars_[n].vtype is MONEY and not vars_[n].rounded]
    persons = persons.with_columns_seq(
        round_money(pl.col(n)) for n in money if n in persons.columns
    )
    household = household.with_columns_seq(
        round_money(pl.col(n)) for n in money if n in household.columns
    )
    pvals = persons.to_dict(as_series=False)
    hvals = household.to_dict(as_series=False)
    ids = pvals[PERSON_KEY]

    def value(name: str) -> Any:
        if vars_[name].entity is PERSON:
            return {pid: _jsonable(v) for pid, v in zip(ids, pvals[name], strict=True)}
        return _jsonable(hvals[name][0])

    result = {name: value(name) for name in plan.outputs}
    household_id = int(hvals[HOUSEHOLD_KEY][0])
    explanation = _explain(book, plan, value, household_id) if explain else None
    parameters = {
        used.name: {
            "value": plain(used.value),
            "unit": used.unit,
            "valid_from": used.valid_from.isoformat(),
            "citation": used.citation,
        }
        for name in sorted(plan.used)
        for used in plan.used[name]
    }
    return CaseResult(
        book.name, book.version, book.reform, str(plan.period), household_id, result,
        parameters, explanation,
    )  # fmt: skip


def _explain(book: Rulebook, plan: Plan, value: Any, household_id: int) -> Explanation:
    seen: set[str] = set()

    def node(name: str) -> Node:
        var = book.variables[name]
        if name in seen:
            return Node(var, value(name), (), (), repeated=True)
        seen.add(name)
        children = tuple(node(d) for d in plan.deps[name])
        return Node(var, value(name), plan.used.get(name, ()), children)

    return Explanation(
        book.name,
        book.version,
        book.reform,
        str(plan.period),
        household_id,
        book.currency,
        tuple(node(n) for n in plan.outputs),
        book.texts,
    )
