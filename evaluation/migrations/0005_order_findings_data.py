"""Findings as data (evaluation/findings.py). Orders issued before keep their figures where the old
generated text can be read back ("Score 55.20, grade …" and "… below the pass mark: 48.50."), in
English or Chinese; any other text is the evaluator's own and stays, as the note."""

import re
from decimal import Decimal, InvalidOperation

from django.db import migrations, models

TOTAL = re.compile(r"^(?:Score|得分)\s*(\d+(?:\.\d+)?)\s*[,，]\s*(?:grade|等级)\s*(.+?)\s*[.。]?$")
PART = re.compile(r"^(.+?)\s*(?:below the pass mark|低于合格线)\s*[:：]\s*(\d+(?:\.\d+)?)\s*[.。]?$")
PARTS = {"Satisfaction": "satisfaction", "满意度": "satisfaction", "On-site acceptance": "acceptance",
         "现场验收": "acceptance", "Objective indicators": "indicators", "客观指标": "indicators"}  # fmt: skip
EXTRA = {"satisfaction": {"satisfied_share": None, "responses": 0}, "acceptance": {"items": 0, "failed": []}}


def figure(text: str) -> str:
    return f"{Decimal(text):.2f}"


def parse_legacy(text: str, *, grade: str, pass_mark: Decimal) -> list[dict] | None:
    """The data behind the old generated text, or None when the text is something else."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    first = TOTAL.match(lines[0]) if lines else None
    if first is None:
        return None
    try:
        found = [{"part": "total", "total": figure(first[1]), "grade": grade, "pass_mark": figure(pass_mark)}]
        for line in lines[1:]:
            match = PART.match(line)
            if match is None or match[1] not in PARTS:
                return None
            part = PARTS[match[1]]
            found.append({"part": part, "score": figure(match[2]), "pass_mark": figure(pass_mark), **EXTRA.get(part, {})})
    except InvalidOperation:
        return None
    return found


def forwards(apps, schema_editor):
    Order = apps.get_model("evaluation", "RectificationOrder")
    Scorecard = apps.get_model("evaluation", "Scorecard")
    grades = {(c.cycle_id, c.project_id): c.grade for c in Scorecard.objects.filter(project__in=Order.objects.values("project"))}
    for order in Order.objects.select_related("cycle__scheme").iterator():
        grade = grades.get((order.cycle_id, order.project_id), "fail")
        data = parse_legacy(order.findings, grade=grade, pass_mark=order.cycle.scheme.pass_mark)
        if data is not None:
            order.findings_data, order.findings = data, ""
            order.save(update_fields=["findings_data", "findings"])


def backwards(apps, schema_editor):
    """Back to prose: the figures in English, before the note (the old column was required)."""
    Order = apps.get_model("evaluation", "RectificationOrder")
    for order in Order.objects.exclude(findings_data=[]).iterator():
        parts = [", ".join(f"{k} {v}" for k, v in entry.items() if not isinstance(v, list | dict)) for entry in order.findings_data]
        order.findings = "\n".join([*parts, order.findings]).strip()
        order.save(update_fields=["findings"])


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0004_before_after_photos"),
    ]

    operations = [
        migrations.AddField(
            model_name="rectificationorder",
            name="findings_data",
            field=models.JSONField(blank=True, default=list, editable=False, verbose_name="findings with their figures"),
        ),
        migrations.AlterField(
            model_name="rectificationorder",
            name="findings",
            field=models.TextField(
                blank=True,
                help_text="Optional. Each failing part already says what to fix; add what the figures do not say.",
                verbose_name="what to fix (evaluator's note)",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
