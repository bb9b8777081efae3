"""The facet masks on the case row (cases/models/facets.py), filled from the terms and the
adoptions; and on PostgreSQL `search_head`, the weighted vector of the title and summary terms
alone: what the rank reads (cases/search.py), a few hundred bytes instead of the whole text."""

from django.db import migrations, models

POSTGRESQL_FORWARD = """
ALTER TABLE cases_case ADD COLUMN search_head tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, search_title), 'A')
    || setweight(to_tsvector('simple'::regconfig, search_summary), 'B')
) STORED;
"""
POSTGRESQL_BACKWARD = "ALTER TABLE cases_case DROP COLUMN IF EXISTS search_head"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FORWARD)
    # Derived data, as the services keep it; `manage.py rebuild_search_index` sets it again.
    # (Not refresh_facet_masks: it also writes the owner columns, which come in 0020.)
    from cases.models.facets import refresh_adopter_masks, refresh_term_masks

    refresh_term_masks()
    refresh_adopter_masks()


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_BACKWARD)


def mask(name: str) -> migrations.AddField:
    return migrations.AddField(
        model_name="case", name=name, field=models.BigIntegerField(default=0, editable=False)
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_case_contact")]

    operations = [
        mask("sector_mask"),
        mask("innovation_type_mask"),
        mask("benefit_mask"),
        mask("adopter_size_mask"),
        mask("adopter_centrality_mask"),
        mask("adopter_region_mask"),
        mask("adopter_county_mask"),
        mask("adopter_county_mask_high"),
        migrations.AddField(
            model_name="case",
            name="has_adopters",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(forwards, backwards),
    ]
