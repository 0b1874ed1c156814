"""Benchmark the API on PostgreSQL: person look-ups under gunicorn, and a batch of 1,000 events.

    .venv/bin/python bench/bench_api.py [--persons 1000000] [--workers 4] [--reuse] [--keep]
        [--rounds 3] [--baseline /tmp/base]   # alternate with another source tree

Creates the database `dost_bench_api` (dropped first unless --reuse), migrates it and loads
persons, households and memberships with COPY (the generator of bench/bench_snapshot.py; personal
IDs are the zero-padded keys, "0000001" …). Then:
- starts gunicorn (sync workers, DEBUG off) on 127.0.0.1 and drives `GET /api/v1/persons/{id}`
  with random IDs using wrk (4 threads, 32 connections, 30 s) on loopback: requests/s and the
  latency percentiles, every call authenticated, scope-checked and logged as in production;
- sends one batch of 1,000 `employment_started` events for distinct persons through
  `POST /api/v1/events` and times it end to end, then resends it (all duplicates).
With --baseline DIR the same figures are taken from a server running the code of DIR (e.g.
`git archive HEAD~1 | tar -x -C DIR`), alternating with this tree for --rounds rounds on the
same database, and medians and ratios are printed: the machine's load moves both alike.
Needs gunicorn (pip) and wrk (apt).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "dost_bench_api"
SERVER = "postgres://postgres@127.0.0.1:5432"
PORT = 8765
TABLES = ("registry_household", "registry_person", "registry_membership")

WRK_SCRIPT = """
math.randomseed(2026)
request = function()
  local path = string.format("/api/v1/persons/%%07d", math.random(1, %(persons)d))
  return wrk.format("GET", path, {["Authorization"] = "Bearer %(key)s",
                                  ["X-Purpose"] = "benchmark"})
end
"""


def _setup(args: argparse.Namespace) -> str:
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dost.settings")
    import bench_snapshot

    if not args.reuse:
        bench_snapshot.psql(f"DROP DATABASE IF EXISTS {DATABASE}")
        bench_snapshot.psql(f"CREATE DATABASE {DATABASE}")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dost.api.keys import client_create, key_issue
    from dost.api.models import ApiClient

    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        frames = {t: f for t, f in bench_snapshot.generate(args.persons).items() if t in TABLES}
        print(f"generated in {time.perf_counter() - started:.1f} s; loading with COPY:")
        connection.set_autocommit(True)
        bench_snapshot.load(frames)
        del frames
    client = ApiClient.objects.filter(name="bench").first() or client_create(
        name="bench", sender="bench", scopes=["persons:read", "events:write"],
        rate_limit_per_minute=10_000_000,
    )
    return key_issue(client=client).key


def _wait_for_server() -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/openapi.json", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    raise ValueError(text)


def _lookups(key: str, persons: int, seconds: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"persons": persons, "key": key})
    result = subprocess.run(
        ["wrk", "-t4", "-c32", f"-d{seconds}s", "--latency", "-s", script.name,
         f"http://127.0.0.1:{PORT}"], capture_output=True, text=True, check=True,
    )
    figures: dict[str, float] = {}
    for line in result.stdout.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            figures["req/s"] = float(words[1])
        elif len(words) == 2 and words[0] in ("50%", "99%"):
            figures[f"p{words[0][:-1]} ms"] = _ms(words[1])
        elif "Non-2xx" in line:
            figures["non-2xx"] = float(words[-1])
    return figures


def _post(key: str, body: dict[str, object]) -> tuple[float, dict[str, object]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/api/v1/events", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 (fixed http URL)
        answer = json.loads(response.read())
    return time.perf_counter() - started, answer


def _batch(token: str, run: int) -> dict[str, object]:
    # Distinct adults (slot 0 of each household: the heads), one new job each; the employer
    # name is new for every run, so a person employed by an earlier run can take this job.
    slot = run % 250
    return {"events": [
        {"sender_event_id": f"bench-{token}-{run}-{n}", "type": "employment_started",
         "occurred_on": "2026-03-02",
         "payload": {"personal_id": f"{4 * (slot * 1000 + n) + 1:07d}",
                     "employer_name": f"Bench employer {token}-{run}", "monthly_wage": "900.00"}}
        for n in range(1000)
    ]}


def _measure(root: Path, args: argparse.Namespace, key: str, token: str, run: int
             ) -> dict[str, float]:
    """Start gunicorn from the source tree `root`, take the figures, stop it."""
    env = {**os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(root)}
    command = [str(ROOT / ".venv/bin/gunicorn"), "dost.wsgi", "-w", str(args.workers),
               "-b", f"127.0.0.1:{PORT}", "--log-level", "warning", "--chdir", str(root),
               "-k", args.worker_class, "--timeout", "600"]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    server = subprocess.Popen(command, cwd=root, env=env)
    try:
        _wait_for_server()
        _lookups(key, args.persons, 3)  # warm the workers' connections and caches
        figures = _lookups(key, args.persons, args.seconds)
        seconds, answer = _post(key, _batch(token, run))
        figures["batch s"] = seconds
        figures["applied"] = float(answer["applied"])  # type: ignore[arg-type]
        seconds, answer = _post(key, _batch(token, run))
        figures["again s"] = seconds
        figures["duplicate"] = float(answer["duplicate"])  # type: ignore[arg-type]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=4, help="per worker, with gthread")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--baseline", type=Path,
                        help="another source tree (e.g. `git archive` of the previous commit) "
                             "measured in alternation with this one, same database")
    parser.add_argument("--reuse", action="store_true", help="time an existing database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    key = _setup(args)
    trees = [("baseline", args.baseline.resolve())] if args.baseline else []
    trees.append(("this tree", ROOT))
    token = f"{int(time.time()) % 1_000_000}"
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, _root in trees}
    run = 0
    for round_no in range(args.rounds):
        for label, root in trees:
            figures = _measure(root, args, key, token, run)
            run += 1
            runs[label].append(figures)
            print(f"round {round_no + 1} {label}: " + ", ".join(
                f"{name} {value:.2f}" for name, value in figures.items()), flush=True)
    print(f"\nmedians over {args.rounds} round(s); {args.workers} {args.worker_class} workers"
          f"{f' x {args.threads} threads' if args.worker_class == 'gthread' else ''}, "
          f"wrk 4 threads x 32 connections, {args.seconds} s:")
    medians = {label: {name: statistics.median(r[name] for r in rows) for name in rows[0]}
               for label, rows in runs.items()}
    for label, figures in medians.items():
        print(f"  {label}: " + ", ".join(f"{n} {v:.2f}" for n, v in figures.items()))
    if args.baseline:
        old, new = medians["baseline"], medians["this tree"]
        print("  ratios (baseline / this tree; > 1 is better): "
              f"req/s {new['req/s'] / old['req/s']:.2f}x (inverse), "
              f"p99 {old['p99 ms'] / new['p99 ms']:.2f}x, "
              f"batch {old['batch s'] / new['batch s']:.2f}x, "
              f"again {old['again s'] / new['again s']:.2f}x")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        import bench_snapshot

        bench_snapshot.psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
