"""Integrity snapshots, backups and restores (issue 4: no acknowledged submission is ever lost).

- :mod:`.integrity`: ``integrity_snapshot`` (row counts, counts per status, a content checksum
  per table, account credentials checksum, every stored file re-hashed) and
  ``snapshot_compare``; used by ``manage.py verify_integrity``.
- :mod:`.archive`: ``backup_create`` / ``backup_check`` / ``backup_restore`` behind
  ``manage.py backup_data`` and ``manage.py restore_data``. A restore verifies the whole backup
  (manifest, every part's size and SHA-256, database part readable) before it touches anything.

Models are discovered from the app registry, so every module's tables are covered without
being listed here.
"""
