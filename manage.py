#!/usr/bin/env python
"""Django's manage.py; `dost` (the console command) does the same and more."""

import sys

from dost.cli import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
