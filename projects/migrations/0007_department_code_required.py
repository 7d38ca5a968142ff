from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("projects", "0006_department_code")]

    operations = [
        migrations.AlterField(
            model_name="department",
            name="code",
            field=models.SlugField(
                help_text="A short stable name for the department's public page address, for example cgj.",
                max_length=30,
                unique=True,
                verbose_name="code",
            ),
        ),
    ]
