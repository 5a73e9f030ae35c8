"""Run Django's deployment checks with a production-like environment.

Production is configured by environment variables only; this sets plausible values (nothing is
contacted) and fails on any warning.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_LIKE = {
    "KOTAPINTAR_IGNORE_DOTENV": "1",
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "PERSONAL_DATA_KEYS": Fernet.generate_key().decode(),
    "PERSONAL_DATA_HASH_KEY": secrets.token_urlsafe(32),
    "ALLOWED_HOSTS": "layanan.pemkomedan.go.id",
    "DATABASE_URL": "postgres://kotapintar@db.internal:5432/kotapintar",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp+tls://kotapintar@mail.internal:587",
}


def main() -> int:
    env = {**os.environ, **PRODUCTION_LIKE}
    return subprocess.call(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
    )


if __name__ == "__main__":
    sys.exit(main())
