"""`make bench`: every benchmark at its quick size, one after the other.

The sizes the issues set (1M and 10M persons) take minutes each; run the scripts one by one with
`--persons` for those (docs/performance.md lists the commands and the figures measured).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = [
    ["bench_population.py", "--persons", "100000"],
    ["bench_import.py", "--persons", "100000"],
    ["bench_snapshot.py", "--persons", "100000"],
    ["bench_rules.py", "--persons", "100000", "1000000"],
    ["bench_centres.py", "--calls", "2000"],
    ["bench_cases.py", "--persons", "100000", "--queue", "10000"],
]


def main() -> int:
    failed = []
    for script, *args in QUICK:
        print(f"\n=== {script} {' '.join(args)}", flush=True)
        result = subprocess.run([sys.executable, str(HERE / script), *args], check=False)
        if result.returncode != 0:
            failed.append(script)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
