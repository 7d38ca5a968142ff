from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat


def reports_named_by_number_in_the_console_log(apps, schema_editor):
    """The console's history named reports by their tracking code (then `str(report)`): use the number."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    report_type = ContentType.objects.filter(app_label="feedback", model="report").first()
    if report_type is not None:
        LogEntry.objects.filter(content_type=report_type).update(object_repr=Concat(Value("#"), "object_id"))


class Migration(migrations.Migration):

    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("feedback", "0006_stored_files_random_names"),
    ]

    operations = [
        migrations.RunPython(reports_named_by_number_in_the_console_log, migrations.RunPython.noop),
    ]
