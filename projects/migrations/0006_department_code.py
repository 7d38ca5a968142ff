"""Departments get a short stable code for their public page (`/departments/<code>/`).

Existing rows get the demo city's code when they carry a demo name (the mailbox of
projects.demo.DEPARTMENTS), else `dept-<id>`; 0007 then makes the code required and unique.
"""

from django.db import migrations, models

# Frozen copy of the demo names and codes: a migration must not import the app's current code.
DEMO_CODES = {
    "市住房和城乡建设局": "zjj",
    "市城市管理局": "cgj",
    "市园林绿化局": "ylj",
    "市交通运输局": "jtj",
    "市民政局": "mzj",
    "市生态环境局": "sthj",
    "市12345市民服务热线中心": "12345",
    "临江区住房和建设局": "lj-zjj",
    "青山区城市管理局": "qs-cgj",
    "锦华区住房和建设局": "jh-zjj",
    "高新区公园城市局": "gx-gyj",
}


def fill_codes(apps, schema_editor):
    Department = apps.get_model("projects", "Department")
    for department in Department.objects.filter(code__isnull=True).order_by("pk"):
        department.code = DEMO_CODES.get(department.name) or f"dept-{department.pk}"
        department.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [("projects", "0005_follow")]

    operations = [
        migrations.AddField(
            model_name="department",
            name="code",
            field=models.SlugField(max_length=30, null=True, verbose_name="code"),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
    ]
