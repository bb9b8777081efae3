from django.db import migrations, models

# One statement whatever the number of adoptions: count and first date per case, joined back.
BACKFILL = """
UPDATE {case} SET adoption_count = counted.n, first_adopted_on = counted.first_on
FROM (
    SELECT case_id, COUNT(*) AS n, MIN(adopted_on) AS first_on
    FROM {adoption}
    WHERE deleted_at IS NULL
    GROUP BY case_id
) AS counted
WHERE {case}.id = counted.case_id
"""


def backfill_counters(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Adoption = apps.get_model("cases", "Adoption")
    quote = schema_editor.quote_name
    sql = BACKFILL.format(case=quote(Case._meta.db_table), adoption=quote(Adoption._meta.db_table))
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_change_feed"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="adoption_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="adoption count"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="first_adopted_on",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="first adopted"
            ),
        ),
        migrations.RunPython(backfill_counters, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["status", "-adoption_count", "-published_at", "-id"],
                name="case_most_reused",
            ),
        ),
    ]
