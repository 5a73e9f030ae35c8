"""PostgreSQL only: pg_trgm, a GIN index on the search vector and a trigram index on the name.

On SQLite these operations do nothing (the SQLite path of ``umkm.search`` uses the stored
normalised text instead).
"""

from django.db import migrations


def _forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS umkm_product_search_vector_gin "
        "ON umkm_product USING GIN (search_vector)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS umkm_product_search_name_trgm "
        "ON umkm_product USING GIN (search_name gin_trgm_ops)"
    )


def _backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS umkm_product_search_name_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS umkm_product_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("umkm", "0001_initial")]

    operations = [migrations.RunPython(_forwards, _backwards, elidable=False)]
