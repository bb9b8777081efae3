"""Cases never published get provisional slugs, as new cases have until they are published.

Before, a draft took its title's slug, and a later case with the same title got `-2`: proof
that a case others cannot see exists. A lasting slug now belongs only to cases published once
(see cases/services/content.py, publish_slug).
"""

import secrets

from django.db import migrations

PROVISIONAL_MARK = "--"


def make_unpublished_slugs_provisional(Case) -> None:
    never_published = Case.objects.filter(published_at__isnull=True).exclude(
        slug__contains=PROVISIONAL_MARK
    )
    for case in never_published.only("pk", "slug").iterator():
        slug = f"{case.slug[:200].rstrip('-')}{PROVISIONAL_MARK}{secrets.token_hex(5)}"
        Case.objects.filter(pk=case.pk).update(slug=slug)


def forwards(apps, schema_editor):
    make_unpublished_slugs_provisional(apps.get_model("cases", "Case"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_feed_epoch")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
