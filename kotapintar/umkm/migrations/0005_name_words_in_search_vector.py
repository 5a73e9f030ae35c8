"""PostgreSQL: the search vector also holds the product name's words as written (``simple``
configuration, weight A), so a word prefix that the Indonesian stemmer would not produce still
finds the name (``kerup`` -> "Kerupuk Udang": the stem of "kerupuk" is "rupuk").

The vectors of existing products get the same part appended that ``search.product_index_update``
now builds last, from the stored normalised name; the triggers of migration 0004 refresh the
catalogue entries. SQLite keeps no vector (its search matches the stored words directly).
"""

from django.db import migrations

FORWARDS = """
UPDATE umkm_product
SET search_vector = search_vector || setweight(to_tsvector('simple', search_name), 'A')
WHERE search_vector IS NOT NULL
"""


def _forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


class Migration(migrations.Migration):
    dependencies = [("umkm", "0004_catalogue_entry")]

    operations = [migrations.RunPython(_forwards, migrations.RunPython.noop, elidable=False)]
