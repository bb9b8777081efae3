"""Mark the accounts issue_token made for REST clients, so that the command can tell them from
accounts someone registered (whose password that someone knows)."""

from django.db import migrations, models


def mark_service_accounts(apps, schema_editor):
    # issue_token made confirmed accounts without a usable password ("!" starts an unusable
    # hash); registration always sets a password, and staff accounts are people.
    User = apps.get_model("cases", "User")
    User.objects.filter(
        password__startswith="!", email_verified_at__isnull=False, is_staff=False
    ).update(service_account=True)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_api_indexes")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="service_account",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Made by an operator with issue_token for a REST client, without a "
                    "password. issue_token gives other accounts no key unless the operator "
                    "takes them over."
                ),
                verbose_name="service account",
            ),
        ),
        migrations.RunPython(mark_service_accounts, migrations.RunPython.noop),
    ]
