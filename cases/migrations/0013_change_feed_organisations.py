from django.db import migrations, models


def record_every_organisation(apps, schema_editor):
    """The organisations already there get their first entries, so that a sync from the
    start brings them too. Stamped with this transaction, as cases/changefeed/record.py
    stamps every entry (0 on SQLite)."""
    txid = "pg_current_xact_id()::text::bigint" if schema_editor.connection.vendor == "postgresql" else "0"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_change (kind, object_id, txid, created_at) "
            f"SELECT 'organisation', id, {txid}, CURRENT_TIMESTAMP FROM cases_organisation "
            "ORDER BY id"
        )


def forget_organisations(apps, schema_editor):
    apps.get_model("cases", "Change").objects.filter(kind="organisation").delete()


class Migration(migrations.Migration):
    """Organisations join the change feed: a client's copy of the organisations list stays in
    sync the same way as its cases and reuse records."""

    dependencies = [
        ("cases", "0012_identity_sources"),
    ]

    operations = [
        migrations.AlterField(
            model_name="change",
            name="kind",
            field=models.CharField(
                choices=[
                    ("case", "case"),
                    ("adoption", "adoption"),
                    ("organisation", "organisation"),
                ],
                max_length=12,
            ),
        ),
        migrations.RunPython(record_every_organisation, forget_organisations),
    ]
