"""Print a .env file with fresh secrets for a local (embedded SQLite) installation."""

import secrets

from cryptography.fernet import Fernet

print(
    "\n".join(
        [
            "# Local settings for `make run`. Generated once; keep this file and never commit it.",
            "# Losing PERSONAL_DATA_KEYS makes the encrypted personal data unreadable.",
            f"SECRET_KEY={secrets.token_urlsafe(50)}",
            f"PERSONAL_DATA_KEYS={Fernet.generate_key().decode()}",
            f"PERSONAL_DATA_HASH_KEY={secrets.token_urlsafe(32)}",
            "DEBUG=false",
            "HTTPS=false",
            "LOG_FORMAT=plain",
            "EMAIL_URL=consolemail://",
            "KOTAPINTAR_REGION_CODE=12.71",
        ]
    )
)
