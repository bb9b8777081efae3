"""Indexes for the public API list (its default order with the columns its filters read, and
by title) and for compacting the change feed's log; statistics that let PostgreSQL estimate
the term filters; and a first compaction of the log's entries so far (cases/changes.py keeps
it compact from then on)."""

from django.db import migrations, models

# An entry is redundant when a later entry (in feed order: txid, then id) names the same
# object: a client whose cursor is before the earlier one still reads the later one, and the
# feed renders the object as it is when read. An object's last entry always stays, so a
# deletion still reaches a client that had the object. Plain SQL that PostgreSQL and SQLite
# both run.
COMPACT = """
DELETE FROM cases_change
WHERE EXISTS (
    SELECT 1 FROM cases_change AS later
    WHERE later.kind = cases_change.kind
      AND later.object_id = cases_change.object_id
      AND (later.txid > cases_change.txid
           OR (later.txid = cases_change.txid AND later.id > cases_change.id))
)
"""

# A term's vocabulary and code depend on each other (every "education" is a sector), which the
# planner cannot know from each column alone: it took "sector = education" for a sixth of its
# rows and chose plans for that. Counting a filtered list reads every match, so the estimate
# decides between a join that reads a few thousand rows and one that reads fifty thousand.
TERM_STATISTICS = "cases_caseterm_vocabulary_code"


def create_term_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("cases", "CaseTerm")._meta.db_table)
    schema_editor.execute(
        f"CREATE STATISTICS IF NOT EXISTS {TERM_STATISTICS} (dependencies, mcv) "
        f"ON vocabulary, code FROM {table}"
    )
    schema_editor.execute(f"ANALYZE {table}")


def drop_term_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {TERM_STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_counters"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True), ("status", "published")),
                fields=[
                    "-published_at",
                    "-id",
                    "organisation",
                    "stage",
                    "workplace_type",
                    "origin",
                    "updated_at",
                ],
                name="case_public_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True), ("status", "published")),
                fields=["title", "-id"],
                name="case_public_title",
            ),
        ),
        migrations.AddIndex(
            model_name="change",
            index=models.Index(fields=["kind", "object_id"], name="change_feed_object"),
        ),
        migrations.RunSQL(COMPACT, migrations.RunSQL.noop, elidable=True),
        migrations.RunPython(create_term_statistics, drop_term_statistics),
    ]
