"""A rulebook: variables and parameters, validated when loaded, compiled per period."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import yaml

from dost.rules.entities import HOUSEHOLD, HOUSEHOLD_KEY, PERSON, PERSON_KEY, ROLE, Entity
from dost.rules.errors import RulebookError
from dost.rules.evaluate import run_lazy
from dost.rules.graph import closure
from dost.rules.parameters import Parameters, Value, load_parameters
from dost.rules.periods import Period
from dost.rules.phrases import PHRASES
from dost.rules.plan import Plan, Step, build_plan
from dost.rules.valuetypes import BOOL, DTYPES, INT, MONEY, NUMBER, accepts
from dost.rules.variables import How, Kind, Variable

RULEBOOKS_DIR = Path(__file__).resolve().parent.parent / "rulebooks"
LANGUAGES = ("az", "uz", "ru", "en")


@dataclass(frozen=True)
class Reform:
    """The same rulebook with some parameters or variables replaced, for what-if runs."""

    name: str
    parameters: Mapping[str, Value | Mapping[dt.date, Value]] = field(default_factory=dict)
    variables: tuple[Variable, ...] = ()


@dataclass(frozen=True)
class Rulebook:
    name: str
    currency: str
    variables: Mapping[str, Variable]
    parameters: Parameters
    outputs: tuple[str, ...]
    languages: tuple[str, ...] = LANGUAGES
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: PHRASES)
    version: str = "0"
    source: str = "<memory>"
    reform: str | None = None
    _plans: dict[tuple[str, tuple[str, ...]], Plan] = field(
        default_factory=dict, compare=False, repr=False
    )

    # -- building ------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        name: str,
        *,
        variables: Iterable[Variable],
        parameters: Parameters,
        currency: str = "AZN",
        outputs: Iterable[str] = (),
        **extra: Any,
    ) -> Rulebook:
        """Validate and assemble: every error names the file, the variable and the reason."""
        table: dict[str, Variable] = {}
        for var in variables:
            if var.name in table:
                raise RulebookError(
                    var.source, var.name, f"defined twice (also in {table[var.name].source})"
                )
            table[var.name] = var
        book = cls(name, currency, table, parameters, tuple(outputs), **extra)
        book._validate()
        return book

    def _validate(self) -> None:
        for var in self.variables.values():
            coded = [(f"label of {code!r}", labels) for code, labels in var.value_labels.items()]
            for what, labels in [("label", var.label), ("note", var.note), *coded]:
                if labels is None:
                    continue
                missing = [lang for lang in self.languages if not labels.get(lang)]
                if missing:
                    raise RulebookError(
                        var.source, var.name, f"{what} missing in {', '.join(missing)}"
                    )
            if not var.reference:
                raise RulebookError(var.source, var.name, "a variable needs a legal reference")
            self._validate_crossing(var)
        for name in self.outputs:
            if name not in self.variables:
                raise RulebookError(self.source, name, "unknown output variable")
        # Probe with each parameter's latest value: finds unknown names, cycles and types.
        self._check_types(self.compile_probe())

    def _validate_crossing(self, var: Variable) -> None:
        if var.kind not in (Kind.AGGREGATE, Kind.BROADCAST):
            return
        home = PERSON if var.kind is Kind.AGGREGATE else HOUSEHOLD
        for name in var.sources:
            other = self.variables.get(name)
            if other is None:
                raise RulebookError(var.source, var.name, f"unknown variable {name!r}")
            if other.entity is not home:
                raise RulebookError(var.source, var.name, f"{name!r} must be a {home} variable")
            if name == var.where and other.vtype is not BOOL:
                raise RulebookError(
                    var.source,
                    var.name,
                    f"type mismatch: filter {name!r} is {other.vtype}, not bool",
                )
        if var.of is None:
            if var.how is not How.COUNT:
                raise RulebookError(var.source, var.name, "needs of=")
            return
        of = self.variables[var.of]
        numeric = (INT, MONEY, NUMBER)
        ok = {
            How.SUM: of.vtype in numeric and var.vtype in numeric,
            How.ANY: of.vtype is BOOL,
            How.ALL: of.vtype is BOOL,
            How.COUNT: True,
        }.get(
            var.how or How.HEAD,
            of.vtype == var.vtype or (of.vtype in numeric and var.vtype in (MONEY, NUMBER)),
        )
        if not ok:
            raise RulebookError(
                var.source,
                var.name,
                f"type mismatch: {var.how or 'value'} of {of.vtype} {var.of!r} as {var.vtype}",
            )

    def _check_types(self, plan: Plan) -> None:
        def empty(entity: Entity) -> pl.LazyFrame:
            schema: dict[str, pl.DataType] = {HOUSEHOLD_KEY: pl.Int64()}
            if entity is PERSON:
                schema.update({PERSON_KEY: pl.Int64(), ROLE: pl.String()})
            for var in plan.inputs[entity]:
                schema[var.column or var.name] = DTYPES[var.vtype]
            return pl.LazyFrame(schema=schema)

        def check(step: Step, frame: pl.LazyFrame) -> None:
            schema = frame.with_columns(step.raw).collect_schema()
            for name in step.names:
                var = self.variables[name]
                if not accepts(var.vtype, schema[name]):
                    raise RulebookError(
                        var.source,
                        name,
                        f"type mismatch: formula gives {schema[name]}, declared {var.vtype}",
                    )

        try:
            run_lazy(plan, empty(PERSON), empty(HOUSEHOLD), check)
        except pl.exceptions.PolarsError as exc:  # a formula Polars cannot type at all
            raise RulebookError(
                self.source, "?", f"type error while checking formulas: {exc}"
            ) from exc

    # -- compiling -----------------------------------------------------------------------
    def compile(self, period: Period | str, outputs: Iterable[str] | None = None) -> Plan:
        """The plan for ``period`` and ``outputs`` (default: the rulebook's), cached."""
        period = Period.parse(period) if isinstance(period, str) else period
        wanted = tuple(outputs) if outputs is not None else self.outputs
        key = (str(period), wanted)
        plan = self._plans.get(key)
        if plan is None:
            plan = build_plan(self.variables, self.parameters, period, wanted, self.source)
            self._plans[key] = plan
        return plan

    def with_reform(self, reform: Reform) -> Rulebook:
        table = dict(self.variables)
        for var in reform.variables:
            table[var.name] = var
        return Rulebook.build(
            self.name,
            variables=table.values(),
            parameters=self.parameters.replaced(reform.parameters),
            currency=self.currency,
            outputs=self.outputs,
            languages=self.languages,
            texts=self.texts,
            version=self.version,
            source=self.source,
            reform=reform.name,
        )

    # -- dependency map ------------------------------------------------------------------
    def direct_deps(self) -> dict[str, tuple[str, ...]]:
        return dict(self.compile_probe().deps)

    def compile_probe(self) -> Plan:
        key = ("probe", tuple(sorted(self.variables)))
        if key not in self._plans:
            self._plans[key] = build_plan(
                self.variables, self.parameters, None, key[1], self.source
            )
        return self._plans[key]

    def dependency_map(self, outputs: Iterable[str] | None = None) -> dict[str, tuple[str, ...]]:
        """For each output, the input columns (``entity.column``) it reads, directly or not."""
        deps = self.direct_deps()
        result: dict[str, tuple[str, ...]] = {}
        for name in outputs if outputs is not None else self.outputs:
            found = closure([name], deps)
            result[name] = tuple(
                sorted(
                    f"{self.variables[n].entity}s.{self.variables[n].column or n}"
                    for n in found
                    if self.variables[n].kind is Kind.INPUT
                )
            )
        return result

    def parameter_map(self, outputs: Iterable[str] | None = None) -> dict[str, tuple[str, ...]]:
        """For each output, the parameters it uses, directly or not (re-run when they change)."""
        probe = self.compile_probe()
        return {
            name: tuple(
                sorted({u.name for n in closure([name], probe.deps) for u in probe.used.get(n, ())})
            )
            for name in (outputs if outputs is not None else self.outputs)
        }

    def outputs_affected_by(
        self, columns: Iterable[str], outputs: Iterable[str] | None = None
    ) -> list[str]:
        """Outputs to re-evaluate when these input columns change (``persons.x`` or ``x``)."""
        changed = set(columns)
        return [
            name
            for name, cols in self.dependency_map(outputs).items()
            if any(c in changed or c.split(".", 1)[1] in changed for c in cols)
        ]


def _import(path: Path, rulebook: str) -> ModuleType:
    module_name = f"dost.rulebooks.{rulebook}.{path.stem}"
    if path.resolve().parent.parent != RULEBOOKS_DIR:
        module_name = f"_dost_rulebook_{abs(hash(str(path.resolve())))}_{path.stem}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise RulebookError(str(path), path.stem, "cannot import module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise RulebookError(str(path), path.stem, f"import failed: {exc}") from exc
    return module


_LOADED: dict[Path, Rulebook] = {}


def load_rulebook(name_or_path: str | Path, check_periods: Iterable[str] = ()) -> Rulebook:
    """Load ``az``/``uz`` (shipped rulebooks) or a rulebook directory; cached per directory.

    A directory holds ``rulebook.yaml`` (name, currency, modules, outputs, version),
    ``parameters/*.yaml`` and the modules, whose module-level ``Variable`` objects are
    collected. ``check_periods`` also compiles the default outputs for those months, so a
    parameter missing for one of them fails here rather than at the first evaluation.
    """
    path = Path(name_or_path)
    if not path.exists() and (RULEBOOKS_DIR / str(name_or_path)).is_dir():
        path = RULEBOOKS_DIR / str(name_or_path)
    path = path.resolve()
    if path not in _LOADED:
        _LOADED[path] = _load(path, str(name_or_path))
    book = _LOADED[path]
    for period in check_periods:
        book.compile(period)
    return book


def _load(path: Path, asked: str) -> Rulebook:
    meta_file = path / "rulebook.yaml"
    if not meta_file.is_file():
        raise RulebookError(str(meta_file), asked, "no rulebook.yaml")
    meta = yaml.safe_load(meta_file.read_text(encoding="utf-8")) or {}
    name = str(meta.get("name") or path.name)
    variables: list[Variable] = []
    seen: set[int] = set()  # a variable imported into another module is still one variable
    for module_name in meta.get("modules") or []:
        module_path = path / f"{module_name}.py"
        if not module_path.is_file():
            raise RulebookError(str(meta_file), module_name, "module listed but not found")
        module = _import(module_path, name)
        for value in vars(module).values():
            if isinstance(value, Variable) and id(value) not in seen:
                seen.add(id(value))
                variables.append(replace(value, source=str(module_path)))
    texts = {
        lang: {**PHRASES.get(lang, {}), **(meta.get("texts") or {}).get(lang, {})}
        for lang in LANGUAGES
    }
    return Rulebook.build(
        name,
        variables=variables,
        parameters=load_parameters(path / "parameters"),
        currency=str(meta.get("currency", "AZN")),
        outputs=meta.get("outputs") or (),
        languages=tuple(meta.get("languages") or LANGUAGES),
        texts=texts,
        version=str(meta.get("version", "0")),
        source=str(meta_file),
    )


def load_reform(path: Path) -> Reform:
    """A reform file: ``name`` and ``parameters`` (name: value, or name: {date: value})."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Reform(str(raw.get("name", path.stem)), dict(raw.get("parameters") or {}))
