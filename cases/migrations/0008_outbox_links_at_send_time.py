"""Emails with a one-time link are rendered when sent and their bodies kept nowhere; the
bodies already stored that carry such a link are removed.

A sent email keeps its row (who, what, when) with a note instead of the body. An unsent one is
dropped: its link would reach its owner late or not at all, and asking again gives a new one.
"""

from django.db import migrations, models
from django.db.models import Q

# The paths that carry a secret, as cases/account_urls.py names them: a password-reset link
# (glemt-passord/<uid>/<token>/) and a confirmation link (bekreft-epost/<token>/). The plain
# "glemt-passord/" page is matched too; removing those few bodies loses nothing that matters.
SECRET_PATHS = ("/glemt-passord/", "/bekreft-epost/")
NOTE = "(Removed: this email carried a one-time link, which is not kept.)"


def scrub_links(apps, schema_editor):
    OutgoingEmail = apps.get_model("cases", "OutgoingEmail")
    carrying = Q()
    for path in SECRET_PATHS:
        carrying |= Q(body__contains=path)
    rows = OutgoingEmail.objects.filter(carrying)
    rows.filter(sent_at__isnull=True).delete()
    rows.update(body=NOTE)


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_user_service_account")]

    operations = [
        migrations.AlterField(
            model_name="outgoingemail", name="body", field=models.TextField(blank=True)
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="template",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(scrub_links, migrations.RunPython.noop),
    ]
