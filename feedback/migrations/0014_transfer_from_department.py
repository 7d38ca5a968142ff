"""A transfer event names the department it came from; "from A to B" is written at display time.

Earlier transfers stored the sentence itself, in the language of the moment ("From A to B: reason"
or "由A转至B：reason"): read back into the previous department and the staff's reason. A note that
does not read that way is kept as it is.
"""

import re

import django.db.models.deletion
from django.db import migrations, models

SENTENCES = (r"From (?P<old>.+?) to {new}: (?P<reason>.*)", r"由(?P<old>.+?)转至{new}：(?P<reason>.*)")


def split_transfer_notes(apps, schema_editor):
    ReportEvent = apps.get_model("feedback", "ReportEvent")
    Department = apps.get_model("projects", "Department")
    by_name = {d.name: d for d in Department.objects.all()}
    events = ReportEvent.objects.filter(kind="transferred", from_department__isnull=True).select_related("department")
    changed = []
    for event in events.exclude(note="").iterator():
        if event.department is None:
            continue
        for sentence in SENTENCES:
            match = re.fullmatch(sentence.format(new=re.escape(event.department.name)), event.note, re.DOTALL)
            if match and match["old"] in by_name:
                event.from_department, event.note = by_name[match["old"]], match["reason"]
                changed.append(event)
                break
    ReportEvent.objects.bulk_update(changed, ["from_department", "note"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0013_response_template_category"),
        ("projects", "0007_department_code_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportevent",
            name="from_department",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="projects.department",
                verbose_name="from department",
            ),
        ),
        migrations.RunPython(split_transfer_notes, migrations.RunPython.noop),
    ]
