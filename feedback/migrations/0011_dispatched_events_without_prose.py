"""Dispatch events no longer store "Due … Grid worker …" as prose in the language of the moment:
the page writes the report's deadline and grid worker for its reader. Older rows lose the prose."""

from django.db import migrations


def forget_prose(apps, schema_editor):
    ReportEvent = apps.get_model("feedback", "ReportEvent")
    ReportEvent.objects.filter(kind="dispatched").exclude(note="").update(note="")


class Migration(migrations.Migration):
    dependencies = [("feedback", "0010_before_after_photos")]

    operations = [migrations.RunPython(forget_prose, migrations.RunPython.noop)]
