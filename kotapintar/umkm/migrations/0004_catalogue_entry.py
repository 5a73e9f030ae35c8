"""The public catalogue as the search reads it on PostgreSQL: ``umkm_catalogueentry`` (one
narrow row per public product) and ``umkm_cataloguecell`` (product counts per combination of
filterable values), both kept by statement-level triggers with transition tables, so a bulk
write (the demo generator's COPY, an UPDATE of every product of a business) costs one trigger
run, not one per row.

- ``umkm_product`` insert/update/delete -> the entries of the products whose search-relevant
  columns changed are deleted and, for those still public, inserted again (a stock change
  touches nothing).
- ``umkm_catalogueentry`` insert/delete -> the cell counts go up/down, in key order (two
  transactions lock cells in the same order).
- The product indexes of migration 0003 (public newest/price/facets) and of 0002 (GIN on the
  product's search vector, trigram on its name) are replaced by the same indexes on the entry.

The price ranges below must equal ``umkm.search.PRICE_BUCKETS`` (a test checks); changing them
needs a migration that redefines ``umkm_price_bucket`` and refills the tables. On SQLite the
tables exist and stay empty.
"""

import django.contrib.postgres.search
from django.db import migrations, models


ENTRY_COLUMNS = """
  product_id, business_id, category_id, root_category_id, district, scale, price, price_bucket,
  in_national_catalogue, certificates, listed_at, search_name, search_vector
"""

# The entry built from a product row ``p``.
ENTRY_VALUES = """
  p.id, p.business_id, p.category_id, coalesce(p.facet_root_category, 0), p.facet_district,
  p.facet_scale, p.price, umkm_price_bucket(p.price), p.in_national_catalogue,
  p.facet_certificates, p.listed_at, p.search_name, p.search_vector
"""

# The product columns an entry is built from: an update that changes none of them (a stock
# change, say) leaves the entry alone.
SEARCHED = """
  {t}.is_public, {t}.business_id, {t}.category_id, {t}.facet_root_category, {t}.facet_district,
  {t}.facet_scale, {t}.price, {t}.in_national_catalogue, {t}.facet_certificates, {t}.listed_at,
  {t}.search_name, {t}.search_vector
"""

CHANGED = f"""
  SELECT p.* FROM new_rows p JOIN old_rows o ON o.id = p.id
  WHERE ({SEARCHED.format(t="o")}) IS DISTINCT FROM ({SEARCHED.format(t="p")})
"""

CELL_KEY = (
    "category_id, root_category_id, district, scale, in_national_catalogue, price_bucket, "
    "certificates"
)


def cells_add(rows: str, sign: str) -> str:
    """Add (``+``) or take away (``-``) the entries of transition table ``rows`` from their
    cells, in key order (two transactions lock cells in the same order)."""
    return f"""
  INSERT INTO umkm_cataloguecell AS cell ({CELL_KEY}, products)
  SELECT {CELL_KEY}, {sign}count(*) FROM {rows}
  GROUP BY {CELL_KEY} ORDER BY {CELL_KEY}
  ON CONFLICT ({CELL_KEY}) DO UPDATE SET products = cell.products + EXCLUDED.products;
"""


FORWARDS = f"""
CREATE OR REPLACE FUNCTION umkm_price_bucket(price bigint) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN price <= 25000 THEN 0
    WHEN price <= 100000 THEN 1
    WHEN price <= 500000 THEN 2
    ELSE 3
  END::smallint
$$;

CREATE OR REPLACE FUNCTION umkm_product_entries_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO umkm_catalogueentry ({ENTRY_COLUMNS})
  SELECT {ENTRY_VALUES} FROM new_rows p WHERE p.is_public ORDER BY p.id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION umkm_product_entries_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM umkm_catalogueentry e USING ({CHANGED}) c WHERE e.product_id = c.id;
  INSERT INTO umkm_catalogueentry ({ENTRY_COLUMNS})
  SELECT {ENTRY_VALUES} FROM ({CHANGED}) p WHERE p.is_public ORDER BY p.id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION umkm_product_entries_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM umkm_catalogueentry e USING old_rows o WHERE e.product_id = o.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER umkm_product_entries_inserted
AFTER INSERT ON umkm_product REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION umkm_product_entries_inserted();

CREATE TRIGGER umkm_product_entries_updated
AFTER UPDATE ON umkm_product REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION umkm_product_entries_updated();

CREATE TRIGGER umkm_product_entries_deleted
AFTER DELETE ON umkm_product REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION umkm_product_entries_deleted();

CREATE OR REPLACE FUNCTION umkm_entry_cells_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  {cells_add("new_rows", "+")}
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION umkm_entry_cells_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  {cells_add("old_rows", "-")}
  RETURN NULL;
END
$$;

CREATE TRIGGER umkm_entry_cells_inserted
AFTER INSERT ON umkm_catalogueentry REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION umkm_entry_cells_inserted();

CREATE TRIGGER umkm_entry_cells_deleted
AFTER DELETE ON umkm_catalogueentry REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION umkm_entry_cells_deleted();

CREATE INDEX umkm_entry_search_vector ON umkm_catalogueentry USING GIN (search_vector);
CREATE INDEX umkm_entry_search_name_trgm
  ON umkm_catalogueentry USING GIN (search_name gin_trgm_ops);
DROP INDEX IF EXISTS umkm_product_search_vector_gin;
DROP INDEX IF EXISTS umkm_product_search_name_trgm;

-- Existing public products.
INSERT INTO umkm_catalogueentry ({ENTRY_COLUMNS})
SELECT {ENTRY_VALUES} FROM umkm_product p WHERE p.is_public ORDER BY p.id;
"""

BACKWARDS = """
DROP TRIGGER IF EXISTS umkm_entry_cells_deleted ON umkm_catalogueentry;
DROP TRIGGER IF EXISTS umkm_entry_cells_inserted ON umkm_catalogueentry;
DROP FUNCTION IF EXISTS umkm_entry_cells_deleted();
DROP FUNCTION IF EXISTS umkm_entry_cells_inserted();
DROP TRIGGER IF EXISTS umkm_product_entries_deleted ON umkm_product;
DROP TRIGGER IF EXISTS umkm_product_entries_updated ON umkm_product;
DROP TRIGGER IF EXISTS umkm_product_entries_inserted ON umkm_product;
DROP FUNCTION IF EXISTS umkm_product_entries_deleted();
DROP FUNCTION IF EXISTS umkm_product_entries_updated();
DROP FUNCTION IF EXISTS umkm_product_entries_inserted();
DROP FUNCTION IF EXISTS umkm_price_bucket(bigint);
CREATE INDEX IF NOT EXISTS umkm_product_search_vector_gin
  ON umkm_product USING GIN (search_vector);
CREATE INDEX IF NOT EXISTS umkm_product_search_name_trgm
  ON umkm_product USING GIN (search_name gin_trgm_ops);
"""


def _forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


def _backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("umkm", "0003_search_facets"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueCell",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("category_id", models.BigIntegerField()),
                ("root_category_id", models.BigIntegerField()),
                ("district", models.CharField(max_length=8)),
                ("scale", models.CharField(max_length=10)),
                ("in_national_catalogue", models.BooleanField()),
                ("price_bucket", models.SmallIntegerField()),
                ("certificates", models.JSONField(default=dict)),
                ("products", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "catalogue facet cell",
                "verbose_name_plural": "catalogue facet cells",
            },
        ),
        migrations.CreateModel(
            name="CatalogueEntry",
            fields=[
                ("product_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("business_id", models.BigIntegerField()),
                ("category_id", models.BigIntegerField()),
                ("root_category_id", models.BigIntegerField()),
                ("district", models.CharField(max_length=8)),
                ("scale", models.CharField(max_length=10)),
                ("price", models.BigIntegerField()),
                ("price_bucket", models.SmallIntegerField()),
                ("in_national_catalogue", models.BooleanField()),
                ("certificates", models.JSONField(default=dict)),
                ("listed_at", models.DateTimeField(null=True)),
                ("search_name", models.CharField(max_length=300)),
                ("search_vector", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
            options={
                "verbose_name": "catalogue search entry",
                "verbose_name_plural": "catalogue search entries",
            },
        ),
        migrations.RemoveIndex(
            model_name="product",
            name="umkm_product_public_newest",
        ),
        migrations.RemoveIndex(
            model_name="product",
            name="umkm_product_public_price",
        ),
        migrations.RemoveIndex(
            model_name="product",
            name="umkm_product_public_price_d",
        ),
        migrations.RemoveIndex(
            model_name="product",
            name="umkm_product_public_facets",
        ),
        migrations.AddConstraint(
            model_name="cataloguecell",
            constraint=models.UniqueConstraint(
                fields=(
                    "category_id",
                    "root_category_id",
                    "district",
                    "scale",
                    "in_national_catalogue",
                    "price_bucket",
                    "certificates",
                ),
                name="umkm_catalogue_cell_key",
            ),
        ),
        migrations.AddIndex(
            model_name="catalogueentry",
            index=models.Index(fields=["-listed_at", "-product_id"], name="umkm_entry_newest"),
        ),
        migrations.AddIndex(
            model_name="catalogueentry",
            index=models.Index(fields=["price", "-product_id"], name="umkm_entry_price"),
        ),
        migrations.AddIndex(
            model_name="catalogueentry",
            index=models.Index(fields=["-price", "-product_id"], name="umkm_entry_price_desc"),
        ),
        migrations.AddIndex(
            model_name="catalogueentry",
            index=models.Index(fields=["category_id"], name="umkm_entry_category"),
        ),
        migrations.AddIndex(
            model_name="catalogueentry",
            index=models.Index(fields=["business_id"], name="umkm_entry_business"),
        ),
        migrations.RunPython(_forwards, _backwards, elidable=False),
    ]
