# The areas' edits reach every process's copy at once (feedback/geo.py fingerprint).

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0016_rollups"),
    ]

    operations = [
        migrations.AddField(
            model_name="gridarea",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now, verbose_name="updated"),
            preserve_default=False,
        ),
    ]
