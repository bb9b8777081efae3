"""A case keeps the provisional slug it had as a draft, so that links from before it was
published lead to its lasting address (cases/views/cases.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0021_similar_cases_index")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="draft_slug",
            field=models.SlugField(
                blank=True, db_index=False, default="", editable=False, max_length=220
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("draft_slug", ""), _negated=True),
                fields=["draft_slug"],
                name="case_draft_slug",
            ),
        ),
    ]
