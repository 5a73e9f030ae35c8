"""Check (and with --compile, compile) the translation catalogues: locale/ and each app's own
``kotapintar/<app>/locale/`` (an app may keep its strings in its own catalogue, ADR 13).

Fails when a catalogue has a syntax or format error (GNU msgfmt --check, when installed), or
any untranslated or fuzzy entry: every user-facing string must exist in Bahasa Indonesia.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--compile", action="store_true", help="write the .mo files")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()

    failures: list[str] = []
    catalogues = sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")) + sorted(
        (ROOT / "kotapintar").glob("*/locale/*/LC_MESSAGES/*.po")
    )
    if not catalogues:
        failures.append("no catalogues found under locale/")
    msgfmt = shutil.which("msgfmt")
    for po_path in catalogues:
        relative = po_path.relative_to(ROOT)
        if msgfmt:
            with tempfile.TemporaryDirectory() as tmp:
                result = subprocess.run(
                    [msgfmt, "--check", "-o", str(Path(tmp) / "out.mo"), str(po_path)],
                    capture_output=True,
                    text=True,
                )
            if result.returncode != 0:
                failures.append(f"{relative}: msgfmt --check failed:\n{result.stderr}")
                continue
        catalogue = polib.pofile(str(po_path))
        untranslated = catalogue.untranslated_entries()
        fuzzy = catalogue.fuzzy_entries()
        for entry in untranslated[:20]:
            failures.append(f"{relative}: untranslated: {entry.msgid!r}")
        for entry in fuzzy[:20]:
            failures.append(f"{relative}: fuzzy: {entry.msgid!r}")
        if args.compile:
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
        if not args.quiet:
            print(
                f"{relative}: {len(catalogue.translated_entries())} translated, "
                f"{len(untranslated)} untranslated, {len(fuzzy)} fuzzy"
            )
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
