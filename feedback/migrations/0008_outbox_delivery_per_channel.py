from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("feedback", "0007_console_log_names_reports_by_number"),
    ]

    operations = [
        # Rows written before this migration each routed and notified on every channel at once:
        # the unsent ones become routing rows, which route if needed and queue one row per notice.
        migrations.AddField(
            model_name="dispatchoutbox",
            name="channel",
            field=models.CharField(
                choices=[("route", "routing"), ("email", "e-mail"), ("webhook", "webhook")],
                default="route",
                max_length=8,
                verbose_name="channel",
            ),
            preserve_default=False,
        ),
    ]
