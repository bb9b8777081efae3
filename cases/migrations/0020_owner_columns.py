"""The owner's facets on the case row (cases/models/facets.py), copied from the owners: a search
counts them without joining the organisations."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    # Derived data, as the models keep it; `manage.py rebuild_search_index` sets it again.
    from cases.models.facets import refresh_owner_columns

    refresh_owner_columns()


class Migration(migrations.Migration):
    dependencies = [("cases", "0019_narrow_case_rows")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="owner_region",
            field=models.CharField(blank=True, default="", editable=False, max_length=30),
        ),
        migrations.AddField(
            model_name="case",
            name="owner_size_class",
            field=models.CharField(blank=True, default="", editable=False, max_length=10),
        ),
        migrations.AddField(
            model_name="case",
            name="owner_centrality_class",
            field=models.PositiveSmallIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="owner_county",
            field=models.CharField(editable=False, max_length=4, null=True),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
