"""The `dost` console command: every management command, with the right settings.

`dost rules ...` goes straight to the rules engine's own CLI, which needs no Django.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "rules":
        from dost.rules.cli import main as rules_main

        exit_code: int = rules_main(args[1:])
        return exit_code
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dost.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dost", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
