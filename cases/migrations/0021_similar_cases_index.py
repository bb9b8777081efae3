"""The partial index that similar cases are ranked from (selectors.similar_cases)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0020_owner_columns")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True), ("status", "published")),
                fields=["-published_at", "-id", "sector_mask", "innovation_type_mask", "benefit_mask"],
                name="case_public_similar",
            ),
        ),
    ]
