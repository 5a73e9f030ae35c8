"""On PostgreSQL, refuse UPDATE and DELETE on the audit table at the database level (ADR 4)."""

from django.db import migrations


def install(apps, schema_editor):
    from kotapintar.core.audit import install_audit_triggers

    install_audit_triggers(schema_editor.connection)


def uninstall(apps, schema_editor):
    from kotapintar.core.audit import PG_DROP_TRIGGERS_SQL

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP_TRIGGERS_SQL)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
