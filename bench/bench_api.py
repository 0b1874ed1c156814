"""Benchmark the API on PostgreSQL: person look-ups under a production server, and a batch of
1,000 events.

    .venv/bin/python bench/bench_api.py [--persons 1000000] [--database dost_bench_api]
        [--server sync|gthread|granian] [--workers 4] [--concurrency 8,16,32]
        [--rounds 3] [--baseline /tmp/base] [--lookups-only] [--production] [--reuse] [--keep]
        [--port 8765]

Creates the database (`dost_bench_api` unless --database; dropped first unless --reuse),
migrates it and loads persons, households and memberships with COPY (the generator of
bench/bench_snapshot.py; personal IDs are the zero-padded keys, "0000001" …). Then:
- starts the server (gunicorn sync or gthread workers, or granian's WSGI interface; DEBUG off)
  on 127.0.0.1 and drives `GET /api/v1/persons/{id}` with random IDs using wrk on loopback,
  once per concurrency (open connections): requests/s, latency percentiles, and the CPU spent
  per request by the server's processes, by the PostgreSQL backends serving them and by wrk
  (read from /proc, so figures taken on a shared machine can be projected to an idle one);
  every call authenticated, scope-checked, audited and logged as in production;
- unless --lookups-only, sends one batch of 1,000 `employment_started` events for distinct
  persons through `POST /api/v1/events` and times it end to end, then resends it (duplicates).
With --baseline DIR the same figures are taken from a server running the code of DIR (e.g.
`git archive HEAD~1 | tar -x -C DIR`), alternating with this tree for --rounds rounds on the
same database (the order flips every round), and medians and ratios are printed: the machine's
load moves both alike. Needs wrk (apt); granian (--server granian, the production server: a
dependency, run from this venv) and gunicorn (the dev extra) come with `pip install -e .[dev]`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
# Override to run beside another benchmark on the same host.
PORT = int(os.environ.get("DOST_BENCH_API_PORT", "8765"))
TABLES = ("registry_household", "registry_person", "registry_membership")
TICK = os.sysconf("SC_CLK_TCK")

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
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dost.settings")
    import bench_snapshot

    if not args.reuse:
        bench_snapshot.psql(f"DROP DATABASE IF EXISTS {args.database}")
        bench_snapshot.psql(f"CREATE DATABASE {args.database}")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dost.api.keys import client_create, key_issue
    from dost.api.models import ApiClient

    # A reused database gets the API's new tables (the rate-limit counters…), nothing else.
    call_command("migrate", *(["api"] if args.reuse else []), verbosity=0)
    if not args.reuse:
        started = time.perf_counter()
        frames = {t: f for t, f in bench_snapshot.generate(args.persons).items() if t in TABLES}
        print(f"generated in {time.perf_counter() - started:.1f} s; loading with COPY:")
        connection.set_autocommit(True)
        bench_snapshot.load(frames)
        del frames
    from django.test import override_settings

    # The table of the production settings' cache (`dost createcachetable` in production).
    with override_settings(CACHES={"default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "dost_cache"
    }}):
        call_command("createcachetable", verbosity=0)
    client = ApiClient.objects.filter(name="bench").first() or client_create(
        name="bench", sender="bench", scopes=["persons:read", "events:write"],
        rate_limit_per_minute=10_000_000,
    )
    return key_issue(client=client).key


def _wait_for_server(server: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit("the server exited at start")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/openapi.json", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    raise ValueError(text)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, all its threads included; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _server_cpu(pid: int) -> dict[int, float]:
    return {p: _cpu_seconds(p) for p in [pid, *_children(pid)]}


def _backend_cpu(database: str) -> dict[int, float]:
    """CPU of the PostgreSQL backends connected to the benchmark database (this script's own
    connection excluded)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        pids = [row[0] for row in cursor.fetchall()]
    return {p: _cpu_seconds(p) for p in pids}


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def _wrk(args: argparse.Namespace, key: str, connections: int, seconds: int) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"persons": args.persons, "key": key})
    threads = min(args.wrk_threads, connections)
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "--latency", "-s", script.name, f"http://127.0.0.1:{PORT}"],
        capture_output=True, text=True, check=True,
    )
    Path(script.name).unlink()
    return result.stdout


def _lookups(args: argparse.Namespace, key: str, connections: int, server_pid: int
             ) -> dict[str, float]:
    _wrk(args, key, connections, 2)  # settle this concurrency (new connections, warm caches)
    load = os.getloadavg()[0]
    server_before, db_before = _server_cpu(server_pid), _backend_cpu(args.database)
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = _wrk(args, key, connections, args.seconds)
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_after, db_after = _server_cpu(server_pid), _backend_cpu(args.database)
    figures: dict[str, float] = {}
    for line in output.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            figures["req/s"] = float(words[1])
        elif len(words) == 2 and words[0] in ("50%", "90%", "99%"):
            figures[f"p{words[0][:-1]} ms"] = _ms(words[1])
        elif "requests in" in line:
            figures["requests"] = float(words[0])
        elif "Non-2xx" in line:
            figures["non-2xx"] = float(words[-1])
        elif "Socket errors" in line:
            figures["socket errors"] = float(sum(int(w.strip(",")) for w in words[3::2]))
    requests = figures.get("requests", 0) or 1
    figures["server cpu ms/req"] = 1000 * _spent(server_before, server_after) / requests
    figures["db cpu ms/req"] = 1000 * _spent(db_before, db_after) / requests
    figures["wrk cpu ms/req"] = 1000 * (
        wrk_after.ru_utime + wrk_after.ru_stime - wrk_before.ru_utime - wrk_before.ru_stime
    ) / requests
    figures["load"] = (load + os.getloadavg()[0]) / 2
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


def _server_command(root: Path, args: argparse.Namespace) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(root)}
    if args.production:
        # Production settings (the database cache, secure cookies, among others);
        # plain HTTP on loopback, so no redirect to HTTPS.
        env.update(DOST_PRODUCTION="1", SECRET_KEY="bench-only-" + "x" * 50,
                   SECURE_SSL_REDIRECT="0")
    if args.server == "granian":
        # This venv's granian (a project dependency), for the baseline tree as well.
        if args.granian_path:
            env["PYTHONPATH"] += os.pathsep + str(args.granian_path)
        # WSGI workers run the Django view on a pool of blocking threads: one per worker keeps
        # each worker's database connection to itself, as a sync gunicorn worker does.
        return [str(ROOT / ".venv/bin/python"), "-m", "granian", "--interface", "wsgi",
                "dost.wsgi:application", "--host", "127.0.0.1", "--port", str(PORT),
                "--workers", str(args.workers),
                "--blocking-threads", str(args.threads), "--log-level", "warning",
                "--no-access-log", "--backlog", "1024"], env
    command = [str(ROOT / ".venv/bin/gunicorn"), "dost.wsgi", "-w", str(args.workers),
               "-b", f"127.0.0.1:{PORT}", "--log-level", "warning", "--chdir", str(root),
               "-k", args.server, "--timeout", "600", "--backlog", "1024"]
    if args.server == "gthread":
        command += ["--threads", str(args.threads), "--keep-alive", "30"]
    return command, env


def _measure(root: Path, args: argparse.Namespace, key: str, token: str, run: int
             ) -> dict[str, dict[str, float]]:
    """Start the server from the source tree `root`, take the figures, stop it."""
    command, env = _server_command(root, args)
    server = subprocess.Popen(command, cwd=root, env=env)
    figures: dict[str, dict[str, float]] = {}
    try:
        _wait_for_server(server)
        _wrk(args, key, max(args.concurrency), 3)  # warm every worker's connection and caches
        for connections in args.concurrency:
            figures[f"c{connections}"] = _lookups(args, key, connections, server.pid)
        if not args.lookups_only:
            batch: dict[str, float] = {}
            # CPU of the server's processes and of the database's backends during the batch:
            # unlike its wall time, it does not grow with the load of a shared machine.
            cpu = _server_cpu(server.pid), _backend_cpu(args.database)
            seconds, answer = _post(key, _batch(token, run))
            batch["batch s"] = seconds
            batch["batch server cpu s"] = _spent(cpu[0], _server_cpu(server.pid))
            batch["batch db cpu s"] = _spent(cpu[1], _backend_cpu(args.database))
            batch["applied"] = float(answer["applied"])  # type: ignore[arg-type]
            seconds, answer = _post(key, _batch(token, run))
            batch["again s"] = seconds
            batch["duplicate"] = float(answer["duplicate"])  # type: ignore[arg-type]
            figures["events"] = batch
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


def _line(figures: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.2f}" for name, value in figures.items())


def main() -> int:
    global PORT  # one server at a time, on the port asked for
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database", default="dost_bench_api")
    parser.add_argument("--server", default="sync", choices=("sync", "gthread", "granian"),
                        help="gunicorn sync or gthread workers, or granian (WSGI)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1,
                        help="per worker: gthread threads, granian blocking threads")
    parser.add_argument("--granian-path", type=Path,
                        help="another granian than the venv's: the directory it was installed "
                             "into with pip install --target")
    parser.add_argument("--concurrency", default="8,16,32",
                        help="wrk's open connections, one measurement each (comma-separated)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--baseline", type=Path,
                        help="another source tree (e.g. `git archive` of the previous commit) "
                             "measured in alternation with this one, same database")
    parser.add_argument("--lookups-only", action="store_true", help="skip the events batch")
    parser.add_argument("--production", action="store_true",
                        help="run the server with DOST_PRODUCTION=1 (database cache, …)")
    parser.add_argument("--reuse", action="store_true", help="time an existing database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    PORT = args.port
    key = _setup(args)
    trees = [("baseline", args.baseline.resolve())] if args.baseline else []
    trees.append(("this tree", ROOT))
    token = f"{int(time.time()) % 1_000_000}"
    runs: dict[str, list[dict[str, dict[str, float]]]] = {label: [] for label, _root in trees}
    run = 0
    for round_no in range(args.rounds):
        for label, root in trees if round_no % 2 == 0 else trees[::-1]:
            figures = _measure(root, args, key, token, run)
            run += 1
            runs[label].append(figures)
            for part, values in figures.items():
                print(f"round {round_no + 1} {label} {part}: {_line(values)}", flush=True)
    threads = f" x {args.threads} threads" if args.server != "sync" else ""
    print(f"\nmedians over {args.rounds} round(s); {args.server}, {args.workers} workers"
          f"{threads}; wrk {args.wrk_threads} threads, {args.seconds} s per concurrency:")
    medians = {
        label: {part: {name: statistics.median(r[part].get(name, 0.0) for r in rows)
                       for name in rows[0][part]} for part in rows[0]}
        for label, rows in runs.items()
    }
    for label, parts in medians.items():
        for part, values in parts.items():
            print(f"  {label} {part}: {_line(values)}")
    if args.baseline:
        old, new = medians["baseline"], medians["this tree"]
        for part in new:
            if part == "events":
                cpu_old = old[part]["batch server cpu s"] + old[part]["batch db cpu s"]
                cpu_new = new[part]["batch server cpu s"] + new[part]["batch db cpu s"]
                print(f"  ratios events (> 1 is better): batch "
                      f"{old[part]['batch s'] / new[part]['batch s']:.2f}x, batch server+db cpu "
                      f"{cpu_old / cpu_new:.2f}x, again "
                      f"{old[part]['again s'] / new[part]['again s']:.2f}x")
                continue
            cpu_old = old[part]["server cpu ms/req"] + old[part]["db cpu ms/req"]
            cpu_new = new[part]["server cpu ms/req"] + new[part]["db cpu ms/req"]
            print(f"  ratios {part} (> 1 is better): req/s "
                  f"{new[part]['req/s'] / old[part]['req/s']:.2f}x, p99 "
                  f"{old[part]['p99 ms'] / new[part]['p99 ms']:.2f}x, server+db cpu/req "
                  f"{cpu_old / cpu_new:.2f}x")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        import bench_snapshot

        bench_snapshot.psql(f"DROP DATABASE IF EXISTS {args.database}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
