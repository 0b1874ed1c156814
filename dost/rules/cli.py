"""``dost rules ...``: evaluate a case, run a population, run YAML tests, show dependencies.

Called by the ``dost`` console command with the arguments after ``rules``; needs no Django.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from dost.rules.cases import parse_case
from dost.rules.engine import evaluate_case, run_snapshot
from dost.rules.errors import CaseError, RulebookError
from dost.rules.rulebook import Rulebook, load_reform, load_rulebook
from dost.rules.yamltests import run_path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dost rules", description="DOST rules-as-code engine")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, period: bool = True) -> None:
        p.add_argument("--rulebook", default="az", help="az, uz or a rulebook directory")
        p.add_argument("--reform", type=Path, help="YAML file of parameter replacements")
        p.add_argument("--outputs", help="comma-separated outputs (default: the rulebook's)")
        if period:
            p.add_argument("--period", help="YYYY-MM")

    ev = sub.add_parser("evaluate", help="evaluate one household case (JSON) and print JSON")
    common(ev)
    ev.add_argument("case", type=Path, help="case JSON file, or - for stdin")
    ev.add_argument("--explain", action="store_true", help="include the explanation tree")
    ev.add_argument("--lang", default="en", choices=["az", "uz", "ru", "en"])
    ev.add_argument("--text", action="store_true", help="print the explanation as plain text")

    run = sub.add_parser("run", help="evaluate a population snapshot and write Parquet")
    common(run)
    run.add_argument(
        "--input", type=Path, required=True, help="directory with persons/households.parquet"
    )
    run.add_argument("--output", type=Path, help="output directory (default: INPUT/results-PERIOD)")

    test = sub.add_parser("test", help="run YAML test cases")
    test.add_argument("path", type=Path)
    test.add_argument("--rulebook", help="rulebook (default: the one holding PATH)")

    deps = sub.add_parser("deps", help="print which input columns each output depends on")
    common(deps, period=False)
    deps.add_argument("--parameters", action="store_true", help="list parameters, not columns")

    check = sub.add_parser("check", help="load a rulebook and compile it for a period")
    common(check)
    return parser


def _book(args: argparse.Namespace) -> Rulebook:
    book = load_rulebook(args.rulebook)
    if getattr(args, "reform", None):
        book = book.with_reform(load_reform(args.reform))
    return book


def _outputs(args: argparse.Namespace) -> list[str] | None:
    return [o.strip() for o in args.outputs.split(",") if o.strip()] if args.outputs else None


def _print(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _evaluate(args: argparse.Namespace) -> int:
    book = _book(args)
    text = sys.stdin.read() if str(args.case) == "-" else args.case.read_text(encoding="utf-8")
    case = parse_case(json.loads(text), book.variables)
    result = evaluate_case(
        book, case, args.period, _outputs(args), explain=args.explain or args.text
    )
    if args.text and result.explanation is not None:
        sys.stdout.write(result.explanation.to_text(args.lang))
    else:
        _print(result.to_json(args.lang))
    return 0


def _run(args: argparse.Namespace) -> int:
    if not args.period:
        raise CaseError("--period is required")
    book = _book(args)
    started = time.perf_counter()
    output = args.output or args.input / f"results-{args.period}"
    persons, households = run_snapshot(book, args.period, args.input, output, _outputs(args))
    _print(
        {
            "rulebook": book.name,
            "version": book.version,
            "reform": book.reform,
            "period": args.period,
            "persons": persons,
            "households": households,
            "output": str(output),
            # persons.parquet only when an output is a person variable (run_snapshot).
            "files": [
                name
                for name in ("persons.parquet", "households.parquet")
                if (output / name).exists()
            ],
            "seconds": round(time.perf_counter() - started, 3),
        }
    )
    return 0


def _test(args: argparse.Namespace) -> int:
    book = load_rulebook(args.rulebook) if args.rulebook else None
    outcomes = run_path(args.path, book)
    for outcome in outcomes:
        mark = "ok  " if outcome.ok else "FAIL"
        sys.stdout.write(f"{mark} {outcome.file}: {outcome.name}\n")
        for failure in outcome.failures:
            sys.stdout.write(f"       {failure}\n")
    failed = sum(not o.ok for o in outcomes)
    sys.stdout.write(f"{len(outcomes) - failed} passed, {failed} failed\n")
    return 1 if failed or not outcomes else 0


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "evaluate":
            return _evaluate(args)
        if args.command == "run":
            return _run(args)
        if args.command == "test":
            return _test(args)
        book = _book(args)
        if args.command == "deps":
            deps = book.parameter_map if args.parameters else book.dependency_map
            _print(deps(_outputs(args)))
            return 0
        plan = book.compile(
            args.period or "2026-01", _outputs(args)
        )  # raises if a value is missing
        _print(
            {
                "rulebook": book.name,
                "version": book.version,
                "variables": len(book.variables),
                "period": str(plan.period),
                "needed": len(plan.needed),
                "steps": len(plan.steps),
            }
        )
        return 0
    except (RulebookError, ValueError, FileNotFoundError) as exc:  # CaseError, bad JSON, period
        sys.stderr.write(f"error: {exc}\n")
        return 2
