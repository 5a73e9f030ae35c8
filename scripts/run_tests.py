"""The README's test command: the whole suite on PostgreSQL (DATABASE_URL) or SQLite.

Prints which database and whether browser journeys can run, compiles the translation catalogue so
that tests see the current Indonesian texts, then runs pytest with any extra arguments.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")


def main() -> int:
    database = os.environ.get("DATABASE_URL", "")
    where = database.split("@")[-1] if database else "SQLite (in memory)"
    print(f"Database for tests: {'PostgreSQL ' if database.startswith('postgres') else ''}{where}")
    if CHROMIUM.exists():
        print(f"Browser journeys: run in headless Chromium ({CHROMIUM}).")
    else:
        print(
            f"Browser journeys: SKIPPED — Chromium is not installed at {CHROMIUM} "
            "(Debian: apt-get install chromium)."
        )
    subprocess.run(
        [sys.executable, "scripts/check_messages.py", "--compile", "--quiet"],
        cwd=ROOT,
        check=True,
    )
    command = [sys.executable, "-m", "pytest", *sys.argv[1:]]
    return subprocess.call(command, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
