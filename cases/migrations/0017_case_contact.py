"""A case's contact person in fields of its own. The free-text `contact` is left as written
and still shown when no person is named; the new fields start empty."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0016_questions'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='contact_email',
            field=models.EmailField(blank=True, max_length=254, verbose_name="contact person's email"),
        ),
        migrations.AddField(
            model_name='case',
            name='contact_name',
            field=models.CharField(blank=True, max_length=200, verbose_name="contact person's name"),
        ),
        migrations.AddField(
            model_name='case',
            name='contact_phone',
            field=models.CharField(blank=True, max_length=30, verbose_name="contact person's phone"),
        ),
        migrations.AddField(
            model_name='case',
            name='contact_role',
            field=models.CharField(blank=True, max_length=200, verbose_name="contact person's role"),
        ),
    ]
