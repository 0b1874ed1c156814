"""Benchmark issue #4's "10,000 events applied and evaluated" end to end on PostgreSQL.

    .venv/bin/python bench/bench_events.py [--persons 200000] [--events 10000] [--rounds 3]
        [--baseline DIR] [--keep] [--pipelined [--workers 2]]

Builds a template database once per registry size (`dost_bench_events_tpl_<persons>`, kept for
the next run; drop it to rebuild: the registry of bench/bench_snapshot.py
with its incomes, contracts and assets, the Azerbaijani catalogue and calendar), then for each
round and each source tree (this one, and --baseline DIR if given, e.g. `git archive HEAD~1 |
tar -x -C DIR`) copies it to a fresh database and, in a child process running that tree's code:
1. ingests the events in batches of 1,000 — `events_ingest_batch` where the tree has it, else
   `event_ingest` one by one inside one transaction per batch (what the API did);
2. runs the proactive engine over the whole log (`events_consume`): screening, cases decided
   by the rules with their explanations, awards, notifications (in-process task backend);
and prints the wall seconds of each step and the CPU seconds spent in it by the child and its
PostgreSQL backend together. The parent prints medians and ratios.

With --pipelined, each round also runs this tree as production does: `--workers` proactive
workers (`events_follow`, one per partition of the log when more than one) start first and
follow the log while a second process ingests the batches; "total" is then the wall time from
the first batch sent to the last event decided, and the CPU that of every process and backend.
The workers must handle every applied event (else the run fails).

The events (fixed seed), dated 2026-11-02: births to mothers of the registry (1 in 10),
deaths of household heads (3 in 100), disability determinations (12 in 100), jobs started
(45 in 100) and, for two thirds of those, ended again later in the stream.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
TEMPLATE = "dost_bench_events_tpl_{persons}"  # kept between runs; drop it to rebuild
# Override to run two benchmarks side by side (each drops and recreates its copy).
RUN_DB = os.environ.get("DOST_BENCH_EVENTS_DB", "dost_bench_events_run")
DAY = dt.date(2026, 11, 2)
PIPELINED = "this tree, pipelined"
BATCH = 1000


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _template(persons: int) -> str:
    """Create the template database (once per size; drop it to rebuild); returns its name."""
    import psycopg

    name = TEMPLATE.format(persons=persons)
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return name
    _psql(f"CREATE DATABASE {name}")
    subprocess.run([sys.executable, __file__, "--child-template", str(persons)], check=True,
                   env={**os.environ, "DATABASE_URL": f"{SERVER}/{name}"})
    return name


def _child_template(persons: int) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_snapshot
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dost.catalog.services import catalog_load, holidays_load

    call_command("migrate", verbosity=0)
    frames = bench_snapshot.generate(persons)
    bench_snapshot.load(frames)
    with connection.cursor() as cursor:
        # Rows were copied with their ids: move each sequence past them.
        for table in frames:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
    catalog_load(country="az")
    holidays_load(country="az")


def events(persons: int, count: int) -> list[dict[str, object]]:
    """The event stream (see the module's docstring); IDs follow the generator's layout:
    person k (1-based) is in household (k-1)//4+1 at slot (k-1)%4 (0 head, 1 spouse (F), 2-3
    children), personal ID = k zero-padded to 7 digits."""
    import numpy as np

    rng = np.random.default_rng(4)
    households = persons // 4
    order = rng.permutation(households)  # each household used by at most one kind below
    n_birth, n_death = count // 10, count * 3 // 100
    n_disability, n_job = count * 12 // 100, count * 45 // 100
    n_end = count - n_birth - n_death - n_disability - n_job
    taken = 0

    def pick(n: int) -> list[int]:
        nonlocal taken
        chosen = order[taken:taken + n] + 1
        taken += n
        return [int(h) for h in chosen]

    def pid(k: int) -> str:
        return f"{k:07d}"

    out: list[dict[str, object]] = []
    for n, h in enumerate(pick(n_birth)):
        out.append({"type": "birth", "payload": {
            "personal_id": f"B{n:06d}", "last_name": "Bench", "first_name": "Baby",
            "sex": "F" if n % 2 else "M", "mother_personal_id": pid((h - 1) * 4 + 2)}})
    for h in pick(n_death):
        out.append({"type": "death", "payload": {"personal_id": pid((h - 1) * 4 + 1)}})
    for h in pick(n_disability):
        out.append({"type": "disability_determined", "payload": {
            "personal_id": pid((h - 1) * 4 + 3), "impairment_percent": 85, "group": 1}})
    workers = [pid((h - 1) * 4 + 2) for h in pick(n_job)]
    for worker in workers:
        out.append({"type": "employment_started", "payload": {
            "personal_id": worker, "employer_name": "Bench employer", "monthly_wage": "700.00"}})
    ended = [{"type": "employment_ended", "payload": {
        "personal_id": worker, "employer_name": "Bench employer", "reason": "redundancy"}}
        for worker in workers[:n_end]]
    # Shuffle, keeping each job's end after its start: the ends go into the second half.
    first, second = out[: len(out) // 2], out[len(out) // 2:] + ended
    stream = [first[i] for i in rng.permutation(len(first))]
    stream += [second[i] for i in rng.permutation(len(second))]
    starts = {e["payload"]["personal_id"]: i for i, e in enumerate(stream)
              if e["type"] == "employment_started"}
    for i, event in enumerate(stream):  # a start drawn late swaps with its end
        if event["type"] == "employment_ended":
            j = starts[event["payload"]["personal_id"]]
            if j > i:
                stream[i], stream[j] = stream[j], stream[i]
    for n, event in enumerate(stream):
        event["sender_event_id"] = f"bench-{n}"
    return stream


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def _child_run(persons: int, count: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    # The template is migrated by whichever tree built it: bring the copy to this tree's
    # schema (outside the timed steps). Pipelined rounds migrate before starting both children.
    if not os.environ.get("DOST_BENCH_EVENTS_MIGRATED"):
        call_command("migrate", verbosity=0)
    from dost.proactive.services.engine import events_consume
    from dost.registry.services import events as registry_events

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_snapshot import backend_cpu
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])

    def cpu() -> float:  # this process and its PostgreSQL backend
        return _cpu() + backend_cpu(backend)

    stream = events(persons, count)
    batch_ingest = getattr(registry_events, "events_ingest_batch", None)
    figures: dict[str, float] = {"ingest start": time.time()}
    wall, spent = time.perf_counter(), cpu()
    statuses: dict[str, int] = {}
    for offset in range(0, len(stream), BATCH):
        chunk = stream[offset:offset + BATCH]
        if batch_ingest is not None:
            results = batch_ingest(sender="bench", events=[
                registry_events.EventSpec(
                    sender_event_id=str(e["sender_event_id"]), type=str(e["type"]),
                    occurred_on=DAY, payload=e["payload"])  # type: ignore[arg-type]
                for e in chunk
            ])
        else:
            with transaction.atomic():
                results = [registry_events.event_ingest(
                    sender="bench", sender_event_id=str(e["sender_event_id"]), type=str(e["type"]),
                    occurred_on=DAY, payload=e["payload"])  # type: ignore[arg-type]
                    for e in chunk]
        for result in results:
            statuses[str(result.status)] = statuses.get(str(result.status), 0) + 1
    figures["ingest s"], figures["ingest cpu"] = time.perf_counter() - wall, cpu() - spent
    figures["applied"] = float(statuses.get("applied", 0))
    if os.environ.get("DOST_BENCH_EVENTS_INGEST_ONLY"):
        print("FIGURES " + json.dumps(figures), flush=True)
        return
    wall, spent = time.perf_counter(), cpu()
    consumed = events_consume(limit=count)
    figures["consume s"], figures["consume cpu"] = time.perf_counter() - wall, cpu() - spent
    figures["total s"] = figures["ingest s"] + figures["consume s"]
    figures["total cpu"] = figures["ingest cpu"] + figures["consume cpu"]
    figures["consumed"] = float(consumed.events)
    figures.update(_outcome_counts())
    print("FIGURES " + json.dumps(figures), flush=True)


def _outcome_counts() -> dict[str, float]:
    from django_tasks_db.models import DBTaskResult

    from dost.proactive.models import ProactiveAction

    counts = {"queued": float(DBTaskResult.objects.count())}
    kinds = ProactiveAction.objects.values_list("kind", flat=True)
    for kind in ("award", "offer", "not_eligible", "task", "invite"):
        counts[kind] = float(sum(1 for k in kinds if k == kind))
    return counts


def _child_migrate() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _child_follow() -> None:
    """The proactive worker of a pipelined round: follows the log while the ingest runs, stops
    once the ingest is over and nothing is left, prints when it finished its last chunk and
    the CPU it spent."""
    import django

    django.setup()
    from django.db import connection

    from dost.proactive.services.engine import ConsumeResult, events_follow, worker_gc_tune

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_snapshot import backend_cpu

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    worker_gc_tune()  # as `dost proactive consume --follow` does
    spent = _cpu() + backend_cpu(backend)
    last = {"at": time.time()}
    print("READY", flush=True)

    chunks: list[int] = []

    def chunk_done(done: ConsumeResult) -> None:
        last["at"] = time.time()
        chunks.append(done.events)

    workers = int(os.environ.get("DOST_BENCH_EVENTS_WORKERS", "1"))
    part = int(os.environ.get("DOST_BENCH_EVENTS_PART", "0"))
    ingested = Path(os.environ["DOST_BENCH_EVENTS_INGESTED"])  # the parent's "ingest is over"
    consumed = 0
    while True:
        over = ingested.exists()  # before looking: a follow after it sees every event
        followed = events_follow(poll=0.1, idle_exit=0.3, on_chunk=chunk_done,
                                 partition=(part, workers) if workers > 1 else None)
        consumed += followed.events
        if over and not followed.events:
            break
    figures = {"consume end": last["at"], "consume cpu": _cpu() + backend_cpu(backend) - spent,
               "consumed": float(consumed), "chunks": float(len(chunks))}
    figures.update(_outcome_counts())
    print("FIGURES " + json.dumps(figures), flush=True)


def _pipelined(tree: Path, env: dict[str, str], persons: int, count: int) -> dict[str, float]:
    """Ingest and the proactive worker at once, as in production: the API applies the batches
    while `dost proactive consume --follow` decides them. Total = from the first batch sent to
    the last chunk decided."""
    subprocess.run([sys.executable, __file__, "--child-migrate"], cwd=tree, env=env, check=True)
    flag = Path(tempfile.mkdtemp()) / "ingested"
    env = {**env, "DOST_BENCH_EVENTS_MIGRATED": "1", "DOST_BENCH_EVENTS_INGESTED": str(flag)}
    followers = [
        subprocess.Popen([sys.executable, __file__, "--child-follow"], cwd=tree,
                         env={**env, "DOST_BENCH_EVENTS_PART": str(part)},
                         stdout=subprocess.PIPE, text=True)
        for part in range(int(env.get("DOST_BENCH_EVENTS_WORKERS", "1")))
    ]
    for follower in followers:
        assert follower.stdout is not None
        if follower.stdout.readline().strip() != "READY":
            raise SystemExit(f"a worker in {tree} did not start")
    ingest = _child(tree, {**env, "DOST_BENCH_EVENTS_INGEST_ONLY": "1"}, persons, count)
    Path(env["DOST_BENCH_EVENTS_INGESTED"]).touch()
    workers = []
    for follower in followers:
        out, _ = follower.communicate()
        if follower.returncode != 0:
            raise SystemExit(f"a worker in {tree} failed:\n{out[-3000:]}")
        line = next(x for x in out.splitlines() if x.startswith("FIGURES "))
        workers.append(dict(json.loads(line[len("FIGURES "):])))
    # The database's counts as the worker that finished last saw them, after all chunks.
    last = max(workers, key=lambda w: w["consume end"])
    worker = {
        **{k: v for k, v in last.items() if k not in ("consume end", "consume cpu", "consumed")},
        "consume end": last["consume end"],
        "consume cpu": sum(w["consume cpu"] for w in workers),
        "consumed": sum(w["consumed"] for w in workers),
        "chunks": sum(w["chunks"] for w in workers),
    }
    figures = {k: v for k, v in ingest.items() if k != "ingest start"}
    figures["consume cpu"] = worker["consume cpu"]
    figures["total s"] = worker["consume end"] - ingest["ingest start"]
    # The worker's own time: what it took after the ingest's end (its lag behind it).
    figures["consume s"] = figures["total s"] - ingest["ingest s"]
    figures["total cpu"] = ingest["ingest cpu"] + worker["consume cpu"]
    figures.update({k: v for k, v in worker.items() if k not in ("consume end", "consume cpu")})
    if figures["consumed"] != figures["applied"]:
        raise SystemExit(f"the workers handled {figures['consumed']:.0f} of "
                         f"{figures['applied']:.0f} events")
    return figures


def _child(tree: Path, env: dict[str, str], persons: int, count: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child-run", str(persons), str(count)],
        cwd=tree, env=env, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"run in {tree} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    line = next(x for x in done.stdout.splitlines() if x.startswith("FIGURES "))
    return dict(json.loads(line[len("FIGURES "):]))


def _round(
    tree: Path, template: str, persons: int, count: int, send_notifications: bool,
    pipelined: bool = False,
) -> dict[str, float]:
    _psql(f"DROP DATABASE IF EXISTS {RUN_DB} WITH (FORCE)")
    _psql(f"CREATE DATABASE {RUN_DB} TEMPLATE {template}")
    # The child runs this file (the same events) with the code of `tree`. Notifications are
    # queued as in production (the database task backend; `dost db_worker` sends them), or,
    # with --send-notifications, sent in-process at commit and counted in "consume".
    backend = ("django.tasks.backends.immediate.ImmediateBackend" if send_notifications
               else "django_tasks_db.DatabaseBackend")
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{RUN_DB}", "PYTHONPATH": str(tree),
           "DJANGO_SETTINGS_MODULE": "dost.settings", "DEBUG": "0",
           "DOST_TASKS_BACKEND": backend}
    if pipelined:
        return _pipelined(tree, env, persons, count)
    figures = _child(tree, env, persons, count)
    figures.pop("ingest start")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--baseline-events", type=int,
                        help="fewer events for a slow baseline (its figures are then scaled)")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--send-notifications", action="store_true",
                        help="send notifications in-process instead of queueing them")
    parser.add_argument("--ingest-only", action="store_true",
                        help="time the ingest only (no consume); per-event medians and ratios")
    parser.add_argument("--pipelined", action="store_true",
                        help="also run this tree with the proactive worker following the ingest")
    parser.add_argument("--workers", type=int, default=1,
                        help="with --pipelined: workers on as many partitions of the log")
    parser.add_argument("--child-template", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-migrate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-follow", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-run", type=int, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ingest_only:
        os.environ["DOST_BENCH_EVENTS_INGEST_ONLY"] = "1"  # read by the child runs
    if args.child_template:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dost.settings")
        _child_template(args.child_template)
        return 0
    if args.child_run:
        _child_run(*args.child_run)
        return 0
    if args.child_migrate:
        _child_migrate()
        return 0
    if args.child_follow:
        _child_follow()
        return 0
    os.environ["DOST_BENCH_EVENTS_WORKERS"] = str(args.workers)  # read by pipelined rounds
    template = _template(args.persons)
    trees = [("baseline", args.baseline.resolve())] if args.baseline else []
    trees.append(("this tree", ROOT))
    if args.pipelined:
        trees.append((PIPELINED, ROOT))
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, _tree in trees}
    for round_no in range(args.rounds):
        for label, tree in trees:
            count = args.baseline_events if label == "baseline" and args.baseline_events \
                else args.events
            figures = _round(tree, template, args.persons, count, args.send_notifications,
                             pipelined=label == PIPELINED)
            figures["events"] = float(count)
            runs[label].append(figures)
            print(f"round {round_no + 1} {label}: " + ", ".join(
                f"{k} {v:.2f}" if k.endswith(("s", "cpu")) else f"{k} {v:.0f}"
                for k, v in figures.items()), flush=True)
    medians = {label: {k: statistics.median(r[k] for r in rows) for k in rows[0]}
               for label, rows in runs.items()}
    if args.ingest_only:
        for label, figures in medians.items():
            print(f"  {label}: ingest {1000 * figures['ingest s'] / figures['events']:.2f} ms/"
                  f"event wall, {1000 * figures['ingest cpu'] / figures['events']:.2f} ms/event"
                  f" CPU ({figures['events']:.0f} events, {figures['applied']:.0f} applied)")
        if args.baseline:
            old, new = medians["baseline"], medians["this tree"]
            for step in ("ingest s", "ingest cpu"):
                ratio = (old[step] / old["events"]) / (new[step] / new["events"])
                print(f"  per event, {step}: baseline / this tree = {ratio:.1f}x")
        if not args.keep:
            _psql(f"DROP DATABASE IF EXISTS {RUN_DB} WITH (FORCE)")
        return 0
    print(f"\nmedians over {args.rounds} round(s), registry of {args.persons:,} persons:")
    for label, figures in medians.items():
        per_event = 1000 * figures["total s"] / figures["events"]
        print(f"  {label}: ingest {figures['ingest s']:.1f} s, consume {figures['consume s']:.1f}"
              f" s, total {figures['total s']:.1f} s (CPU {figures['total cpu']:.1f} s) for "
              f"{figures['events']:.0f} events "
              f"({per_event:.2f} ms/event); awards {figures['award']:.0f}, offers "
              f"{figures['offer']:.0f}, not eligible {figures['not_eligible']:.0f}")
    if args.baseline:
        old, new = medians["baseline"], medians["this tree"]
        for step in ("ingest s", "consume s", "total s", "ingest cpu", "consume cpu",
                     "total cpu"):
            ratio = (old[step] / old["events"]) / (new[step] / new["events"])
            print(f"  per event, {step}: baseline / this tree = {ratio:.1f}x")
        if args.pipelined:
            piped = medians[PIPELINED]
            for step in ("total s", "total cpu"):
                ratio = (old[step] / old["events"]) / (piped[step] / piped["events"])
                print(f"  per event, {step}: baseline / pipelined = {ratio:.1f}x")
    if args.pipelined:
        print(f"  pipelined, {args.workers} worker(s): {medians[PIPELINED]['total s']:.2f} s "
              f"from the first batch sent to the last event decided (median; rounds: "
              + ", ".join(f"{r['total s']:.2f}" for r in runs[PIPELINED]) + ")")
    if not args.keep:
        _psql(f"DROP DATABASE IF EXISTS {RUN_DB} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
