"""pytest plugin (loaded with ``-p``) that sets test-only environment defaults.

It runs before pytest-django imports the settings, so the settings module itself has no test
branch. Values already in the environment (e.g. ``DATABASE_URL`` in CI) win.
"""

import os

_TEST_ENV = {
    "SECRET_KEY": "test-secret-key-not-for-production",
    # A fixed, public Fernet key: test data only.
    "PERSONAL_DATA_KEYS": "r8Wq3lGq7o2mJc3wN1N1oQy0hM3Hc4x0VnJ0sJ6yq1Y=",
    "PERSONAL_DATA_HASH_KEY": "test-hash-key",
    "DEBUG": "false",
    "HTTPS": "false",
    "EMAIL_URL": "consolemail://",
    "LOG_FORMAT": "plain",
    "KOTAPINTAR_VAR_DIR": "/tmp/kotapintar-test-var",
    "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "WHITENOISE_AUTOREFRESH": "true",
}
for key, value in _TEST_ENV.items():
    os.environ.setdefault(key, value)
# Never let a developer's .env leak into tests (e.g. a production DATABASE_URL).
os.environ.setdefault("KOTAPINTAR_IGNORE_DOTENV", "1")
