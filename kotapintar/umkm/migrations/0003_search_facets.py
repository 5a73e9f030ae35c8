"""Search facets on PostgreSQL: the product's public flag, kecamatan, scale, top-level category and
valid certificate types, copied onto ``umkm_product`` and kept in step by triggers.

The row trigger on ``umkm_product`` computes the five columns from the business, the category
tree and the certificates whenever a product is inserted or its status, business or category is
written; the other triggers touch (``SET is_public = is_public``) the products concerned when a
business's verification, activity, kecamatan or scale, a category's parent, a certificate's type
or expiry, or a product's certificate links change. Triggers cover every write path (services,
admin, bulk updates, the demo generator's COPY). The existing rows are filled in at the end.
On SQLite nothing happens: its search path joins the source tables.
"""

from django.db import migrations, models

FORWARDS = r"""
CREATE OR REPLACE FUNCTION umkm_category_root(cat bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE up(id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM umkm_productcategory WHERE id = cat
    UNION ALL
    SELECT c.id, c.parent_id, up.depth + 1
    FROM umkm_productcategory c JOIN up ON c.id = up.parent_id
    WHERE up.depth < 32
  )
  SELECT id FROM up WHERE parent_id IS NULL LIMIT 1
$$;

CREATE OR REPLACE FUNCTION umkm_product_certificates(pid bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT coalesce(jsonb_object_agg(code, until), '{}'::jsonb) FROM (
    SELECT t.code, max(coalesce(c.expires_on, DATE '9999-12-31'))::text AS until
    FROM umkm_product_certifications pc
    JOIN umkm_certification c ON c.id = pc.certification_id
    JOIN umkm_certificationtype t ON t.id = c.type_id
    WHERE pc.product_id = pid
    GROUP BY t.code
  ) AS per_type
$$;

CREATE OR REPLACE FUNCTION umkm_product_facets_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  b record;
BEGIN
  SELECT verification_status, is_active, district_id, scale INTO b
  FROM umkm_business WHERE id = NEW.business_id;
  NEW.is_public := coalesce(
    NEW.status = 'tayang' AND b.verification_status = 'terverifikasi' AND b.is_active, false
  );
  NEW.facet_district := coalesce(b.district_id, '');
  NEW.facet_scale := coalesce(b.scale, '');
  NEW.facet_root_category := umkm_category_root(NEW.category_id);
  NEW.facet_certificates := umkm_product_certificates(NEW.id);
  RETURN NEW;
END
$$;

CREATE TRIGGER umkm_product_facets_row
BEFORE INSERT OR UPDATE OF status, business_id, category_id, is_public ON umkm_product
FOR EACH ROW EXECUTE FUNCTION umkm_product_facets_row();

-- Business: verification, activity, kecamatan, scale (and businesses inserted after their
-- products in one transaction: the foreign key is deferred).
CREATE OR REPLACE FUNCTION umkm_business_facets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE umkm_product SET is_public = is_public WHERE business_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER umkm_business_facets
AFTER UPDATE OF verification_status, is_active, district_id, scale ON umkm_business
FOR EACH ROW
WHEN (
  OLD.verification_status IS DISTINCT FROM NEW.verification_status
  OR OLD.is_active IS DISTINCT FROM NEW.is_active
  OR OLD.district_id IS DISTINCT FROM NEW.district_id
  OR OLD.scale IS DISTINCT FROM NEW.scale
)
EXECUTE FUNCTION umkm_business_facets();

CREATE OR REPLACE FUNCTION umkm_business_inserted_facets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE umkm_product p SET is_public = p.is_public
  FROM new_rows n WHERE p.business_id = n.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER umkm_business_inserted_facets
AFTER INSERT ON umkm_business REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION umkm_business_inserted_facets();

-- Category moved under another parent: its products and those of its descendants.
CREATE OR REPLACE FUNCTION umkm_category_facets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  WITH RECURSIVE tree(id, depth) AS (
    SELECT NEW.id, 0
    UNION ALL
    SELECT c.id, tree.depth + 1
    FROM umkm_productcategory c JOIN tree ON c.parent_id = tree.id
    WHERE tree.depth < 32
  )
  UPDATE umkm_product SET is_public = is_public WHERE category_id IN (SELECT id FROM tree);
  RETURN NULL;
END
$$;

CREATE TRIGGER umkm_category_facets
AFTER UPDATE OF parent_id ON umkm_productcategory
FOR EACH ROW WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id)
EXECUTE FUNCTION umkm_category_facets();

-- Certificate type or expiry changed: the products it is linked to.
CREATE OR REPLACE FUNCTION umkm_certification_facets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE umkm_product SET is_public = is_public
  WHERE id IN (
    SELECT product_id FROM umkm_product_certifications WHERE certification_id = NEW.id
  );
  RETURN NULL;
END
$$;

CREATE TRIGGER umkm_certification_facets
AFTER UPDATE OF type_id, expires_on ON umkm_certification
FOR EACH ROW
WHEN (OLD.type_id IS DISTINCT FROM NEW.type_id OR OLD.expires_on IS DISTINCT FROM NEW.expires_on)
EXECUTE FUNCTION umkm_certification_facets();

-- Certificate links added or removed (one statement may carry many rows: COPY, bulk_create).
CREATE OR REPLACE FUNCTION umkm_product_links_facets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE umkm_product SET is_public = is_public
  WHERE id IN (SELECT product_id FROM changed_rows);
  RETURN NULL;
END
$$;

CREATE TRIGGER umkm_product_links_inserted_facets
AFTER INSERT ON umkm_product_certifications REFERENCING NEW TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION umkm_product_links_facets();

CREATE TRIGGER umkm_product_links_deleted_facets
AFTER DELETE ON umkm_product_certifications REFERENCING OLD TABLE AS changed_rows
FOR EACH STATEMENT EXECUTE FUNCTION umkm_product_links_facets();

-- Existing rows.
UPDATE umkm_product SET is_public = is_public;
"""

BACKWARDS = r"""
DROP TRIGGER IF EXISTS umkm_product_links_deleted_facets ON umkm_product_certifications;
DROP TRIGGER IF EXISTS umkm_product_links_inserted_facets ON umkm_product_certifications;
DROP FUNCTION IF EXISTS umkm_product_links_facets();
DROP TRIGGER IF EXISTS umkm_certification_facets ON umkm_certification;
DROP FUNCTION IF EXISTS umkm_certification_facets();
DROP TRIGGER IF EXISTS umkm_category_facets ON umkm_productcategory;
DROP FUNCTION IF EXISTS umkm_category_facets();
DROP TRIGGER IF EXISTS umkm_business_inserted_facets ON umkm_business;
DROP FUNCTION IF EXISTS umkm_business_inserted_facets();
DROP TRIGGER IF EXISTS umkm_business_facets ON umkm_business;
DROP FUNCTION IF EXISTS umkm_business_facets();
DROP TRIGGER IF EXISTS umkm_product_facets_row ON umkm_product;
DROP FUNCTION IF EXISTS umkm_product_facets_row();
DROP FUNCTION IF EXISTS umkm_product_certificates(bigint);
DROP FUNCTION IF EXISTS umkm_category_root(bigint);
"""


def _forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


def _backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [
        ("umkm", "0002_postgres_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="facet_certificates",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name="product",
            name="facet_district",
            field=models.CharField(blank=True, editable=False, max_length=8),
        ),
        migrations.AddField(
            model_name="product",
            name="facet_root_category",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="product",
            name="facet_scale",
            field=models.CharField(blank=True, editable=False, max_length=10),
        ),
        migrations.AddField(
            model_name="product",
            name="is_public",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(_forwards, _backwards, elidable=False),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                condition=models.Q(("is_public", True)),
                fields=["-listed_at", "-id"],
                name="umkm_product_public_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                condition=models.Q(("is_public", True)),
                fields=["price", "-id"],
                name="umkm_product_public_price",
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                condition=models.Q(("is_public", True)),
                fields=["-price", "-id"],
                name="umkm_product_public_price_d",
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=models.Index(
                condition=models.Q(("is_public", True)),
                fields=[
                    "facet_root_category",
                    "facet_district",
                    "facet_scale",
                    "price",
                    "in_national_catalogue",
                ],
                include=("facet_certificates",),
                name="umkm_product_public_facets",
            ),
        ),
    ]
