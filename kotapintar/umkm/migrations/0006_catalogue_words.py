"""PostgreSQL: ``umkm_catalogueword``, the words of public product names with how many names
hold each, kept by statement-level triggers on ``umkm_catalogueentry`` (like its cells, migration
0004). Misspelled search words are corrected against these words (trigram index) instead of
comparing the query with every product name, so the trigram index on the entries' names goes.
On SQLite the table exists and stays empty.
"""

from django.db import migrations, models


def words_add(rows: str, sign: str) -> str:
    """Add (``+``) or take away (``-``) the name words of the entries in ``rows``, in word
    order (two transactions lock words in the same order)."""
    return f"""
  INSERT INTO umkm_catalogueword AS w (word, products)
  SELECT word, {sign}count(*) FROM (
    SELECT DISTINCT e.product_id, word
    FROM {rows} e, unnest(string_to_array(btrim(e.search_name), ' ')) AS word
    WHERE word <> '' AND length(word) <= 150
  ) AS name_words
  GROUP BY word ORDER BY word
  ON CONFLICT (word) DO UPDATE SET products = w.products + EXCLUDED.products;
"""


FORWARDS = f"""
CREATE OR REPLACE FUNCTION umkm_entry_words_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  {words_add("new_rows", "+")}
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION umkm_entry_words_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  {words_add("old_rows", "-")}
  RETURN NULL;
END
$$;

CREATE TRIGGER umkm_entry_words_inserted
AFTER INSERT ON umkm_catalogueentry REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION umkm_entry_words_inserted();

CREATE TRIGGER umkm_entry_words_deleted
AFTER DELETE ON umkm_catalogueentry REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION umkm_entry_words_deleted();

CREATE INDEX umkm_word_trgm ON umkm_catalogueword USING GIN (word gin_trgm_ops);
DROP INDEX IF EXISTS umkm_entry_search_name_trgm;

-- The words of the entries already there.
{words_add("umkm_catalogueentry", "+")}
"""

BACKWARDS = """
DROP TRIGGER IF EXISTS umkm_entry_words_deleted ON umkm_catalogueentry;
DROP TRIGGER IF EXISTS umkm_entry_words_inserted ON umkm_catalogueentry;
DROP FUNCTION IF EXISTS umkm_entry_words_deleted();
DROP FUNCTION IF EXISTS umkm_entry_words_inserted();
CREATE INDEX IF NOT EXISTS umkm_entry_search_name_trgm
  ON umkm_catalogueentry USING GIN (search_name gin_trgm_ops);
"""


def _forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


def _backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("umkm", "0005_name_words_in_search_vector"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueWord",
            fields=[
                ("word", models.CharField(max_length=150, primary_key=True, serialize=False)),
                ("products", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "catalogue word",
                "verbose_name_plural": "catalogue words",
            },
        ),
        migrations.RunPython(_forwards, _backwards, elidable=False),
    ]
