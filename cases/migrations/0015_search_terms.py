"""Search that analyses Norwegian in Python, the same on both databases (cases/search.py): the
index terms in three columns; on PostgreSQL the weighted search vector built from them with the
'simple' configuration (the terms are stemmed already) in place of the 'norwegian' one, and no
trigram index (typos are corrected against the lexicon); on SQLite an FTS5 table. The terms of
the existing cases are computed here."""

from django.db import migrations, models

POSTGRESQL_FORWARD = """
DROP INDEX IF EXISTS cases_case_trigram_gin;
DROP INDEX IF EXISTS cases_case_search_vector_gin;
ALTER TABLE cases_case DROP COLUMN IF EXISTS search_vector;
ALTER TABLE cases_case ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, search_title), 'A')
    || setweight(to_tsvector('simple'::regconfig, search_summary), 'B')
    || setweight(to_tsvector('simple'::regconfig, search_body), 'C')
) STORED;
CREATE INDEX cases_case_search_vector_gin ON cases_case USING gin (search_vector);
"""

POSTGRESQL_BACKWARD = """
DROP INDEX IF EXISTS cases_case_search_vector_gin;
ALTER TABLE cases_case DROP COLUMN IF EXISTS search_vector;
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

# A table of its own (not external content): Django rebuilds an SQLite table to alter it, which
# would drop the triggers an external-content table needs. cases/search.py writes it.
SQLITE_FORWARD = (
    "CREATE VIRTUAL TABLE cases_case_fts USING fts5("
    "search_title, search_summary, search_body, tokenize = 'unicode61 remove_diacritics 0')"
)
SQLITE_BACKWARD = "DROP TABLE IF EXISTS cases_case_fts"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)
    # The analyser of today, as the services use it: the terms are derived data, and
    # `manage.py rebuild_search_index` computes them again whenever the analyser changes.
    from cases import search_analysis

    Case = apps.get_model("cases", "Case")
    batch = []
    for case in Case._base_manager.order_by("pk").iterator(chunk_size=500):
        case.search_title = search_analysis.index_terms(case.title)
        case.search_summary = search_analysis.index_terms(case.summary, case.search_extra)
        case.search_body = search_analysis.index_terms(
            case.problem, case.solution, case.results, case.reuse_guide
        )
        batch.append(case)
        if len(batch) == 500:
            _save(Case, batch, schema_editor)
            batch = []
    _save(Case, batch, schema_editor)


def _save(Case, batch, schema_editor):
    if not batch:
        return
    Case._base_manager.bulk_update(batch, ["search_title", "search_summary", "search_body"])
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.connection.cursor().executemany(
            "INSERT INTO cases_case_fts (rowid, search_title, search_summary, search_body) "
            "VALUES (%s, %s, %s, %s)",
            [(c.pk, c.search_title, c.search_summary, c.search_body) for c in batch],
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_saved_searches")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="search_title",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="case",
            name="search_summary",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="case",
            name="search_body",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(forwards, backwards),
    ]
