"""Full-text search on PostgreSQL: a weighted Norwegian tsvector kept by the database itself
(a generated column, so no write path can forget it) with a GIN index, and trigram indexes for
typos and word parts. SQLite has none of this; cases/search.py falls back to plain matching."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

FORWARD = """
ALTER TABLE cases_case ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('norwegian'::regconfig, title), 'A')
    || setweight(to_tsvector('norwegian'::regconfig, summary), 'B')
    || setweight(to_tsvector('norwegian'::regconfig, search_extra), 'B')
    || setweight(to_tsvector('norwegian'::regconfig,
           problem || ' ' || solution || ' ' || results || ' ' || reuse_guide), 'C')
) STORED;
CREATE INDEX cases_case_search_vector_gin ON cases_case USING gin (search_vector);
CREATE INDEX cases_case_trigram_gin ON cases_case
    USING gin ((title || ' ' || search_extra) gin_trgm_ops);
"""

BACKWARD = """
DROP INDEX IF EXISTS cases_case_trigram_gin;
DROP INDEX IF EXISTS cases_case_search_vector_gin;
ALTER TABLE cases_case DROP COLUMN IF EXISTS search_vector;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_case_search_extra")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(forwards, backwards),
    ]
