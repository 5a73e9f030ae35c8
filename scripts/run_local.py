"""Start the web server (gunicorn) and a background task worker; stop both on Ctrl-C."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

DEMO_LOGINS = [
    ("Warga (citizen)", "warga@demo.kotapintar.id"),
    ("Petugas (officer, Disdukcapil)", "petugas@demo.kotapintar.id"),
    ("Admin kota (city admin)", "admin@demo.kotapintar.id"),
    ("Kepala Disdukcapil (dashboard)", "kepala@demo.kotapintar.id"),
    ("Dinas Koperasi & UKM", "dinas.umkm@demo.kotapintar.id"),
]
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
DEMO_PASSWORD = "demo12345!"  # noqa: S105 - published demo password of the local demo data


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()

    worker = subprocess.Popen([sys.executable, "manage.py", "db_worker"], cwd=ROOT)
    web = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--access-logfile",
            "-",
            # No client IP and no query string: access lines must not identify citizens.
            "--access-logformat",
            ACCESS_LOG_FORMAT,
        ],
        cwd=ROOT,
    )
    url = f"http://{args.host}:{args.port}/"
    time.sleep(1.5)
    print("\n" + "=" * 72)
    print(f"  Kota Pintar is running at {url}")
    print(f"  Admin: {url}admin/    API docs: {url}api/v1/docs/")
    print("  Demo logins (password for all: " + DEMO_PASSWORD + "):")
    for label, email in DEMO_LOGINS:
        print(f"    {label:<32} {email}")
    print("  E-mails (e.g. registration confirmations) are printed in this terminal.")
    print("  Press Ctrl-C to stop.")
    print("=" * 72 + "\n", flush=True)

    def stop(*_: object) -> None:
        for process in (web, worker):
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while web.poll() is None and worker.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in (web, worker):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0 if os.environ.get("CI") is None else (web.returncode or 0)


if __name__ == "__main__":
    sys.exit(main())
