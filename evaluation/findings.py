"""A rectification order's findings: stored as data with their figures, said in the reader's language.

`collect` builds the list when the order is issued (one dict per failing part, figures as
strings so the JSON keeps every decimal); `render` turns it into sentences at display time, in
the active language, each with what to fix. Nothing here is stored as prose, so an order
issued in Chinese reads in English for an English reader, and the other way round (issue 18).

The parts, by their "part" key:
- total: the score and grade below the pass mark
- satisfaction: the part's score, the share of satisfied residents and how many answers counted
- acceptance: how many checklist items of the on-site acceptance failed, with their names
- indicators: the objective indicators' part below the pass mark
- indicator: one objective indicator short of its target (the value that reaches the pass mark)
- manual: one manual indicator short of its target (as the evaluator set it)
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext, pgettext

from .models import Grade, IndicatorKind, IndicatorValue, Inspection, ManualIndicator, Scorecard

AT_LEAST, AT_MOST = "at_least", "at_most"
# The indicators whose value is "part of whole" (their basis reads "9/20").
COUNTED_KINDS = {IndicatorKind.CLOSURE_RATE, IndicatorKind.ON_TIME_RATE, IndicatorKind.MILESTONE_PUNCTUALITY}


@dataclass(frozen=True)
class Finding:
    part: str
    text: str  # what was found, with its figures
    fix: str  # what the department is to do about it ("" where the other parts say it)


def _figure(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


# --- Collecting, when the order is issued ----------------------------------------------------------


def collect(
    card: Scorecard,
    *,
    pass_mark: Decimal,
    inspection: Inspection | None,
    values: list[IndicatorValue],
    manuals: list[ManualIndicator],
) -> list[dict]:
    """The failing parts of one project's scorecard (`inspection` with its `items` prefetched)."""
    found: list[dict] = []
    if card.total is not None and card.total < pass_mark:
        found.append(
            {"part": "total", "total": _figure(card.total), "grade": card.grade, "pass_mark": _figure(pass_mark)}
        )
    if card.satisfaction_score is not None and card.satisfaction_score < pass_mark:
        found.append({"part": "satisfaction", "score": _figure(card.satisfaction_score), "pass_mark": _figure(pass_mark),
                      "satisfied_share": _figure(card.satisfied_share), "responses": card.response_count})  # fmt: skip
    if inspection is not None:
        found += _acceptance(card, inspection, pass_mark)
    if card.indicators_score is not None and card.indicators_score < pass_mark:
        found.append({"part": "indicators", "score": _figure(card.indicators_score), "pass_mark": _figure(pass_mark)})
    found += [entry for value in values if (entry := _indicator(value, pass_mark))]
    found += [_manual(m) for m in manuals if m.score < 100]
    return found


def _acceptance(card: Scorecard, inspection: Inspection, pass_mark: Decimal) -> list[dict]:
    items = list(inspection.items.all())
    failed = [{"label": item.label, "note": item.note} for item in items if not item.passed]
    low = card.acceptance_score is not None and card.acceptance_score < pass_mark
    if not failed and not low:
        return []
    return [{"part": "acceptance", "score": _figure(card.acceptance_score), "pass_mark": _figure(pass_mark),
             "items": len(items), "failed": failed}]  # fmt: skip


def indicator_target(kind: str, raw: Decimal, pass_mark: Decimal) -> tuple[Decimal, str]:
    """The value at which the indicator scores the pass mark (docs/evaluation.md, the normalisation rules)."""
    if kind == IndicatorKind.COMPLAINT_CHANGE:  # score = 50 − change / 2
        return 2 * (50 - pass_mark), AT_MOST
    if kind == IndicatorKind.BUDGET_EXECUTION and raw > 100:  # overspending: 100 − 2 × (rate − 100)
        return 100 + (100 - pass_mark) / 2, AT_MOST
    return pass_mark, AT_LEAST  # the rates score what they are


def _indicator(value: IndicatorValue, pass_mark: Decimal) -> dict | None:
    if value.score is None or value.raw_value is None or value.score >= pass_mark:
        return None
    target, direction = indicator_target(value.kind, value.raw_value, pass_mark)
    entry = {"part": "indicator", "kind": value.kind, "value": _figure(value.raw_value), "score": _figure(value.score),
             "target": _figure(target), "direction": direction}  # fmt: skip
    counts = re.fullmatch(r"(\d+)/(\d+)", value.basis or "")
    if value.kind in COUNTED_KINDS and counts:
        entry["counts"] = [int(counts[1]), int(counts[2])]
    return entry


def _manual(indicator: ManualIndicator) -> dict:
    return {"part": "manual", "name": indicator.name, "unit": indicator.unit, "actual": _figure(indicator.actual),
            "target": _figure(indicator.target), "direction": AT_LEAST if indicator.higher_is_better else AT_MOST}  # fmt: skip


# --- Saying them, at display time --------------------------------------------------------------------


def number(value) -> str:
    return formats.number_format(Decimal(value), 2, use_l10n=True) if value is not None else "—"


def render(data: list[dict]) -> list[Finding]:
    """Each stored part as a sentence with its figures and what to fix, in the active language."""
    return [finding for entry in data or [] if (finding := _render_one(entry))]


def _render_one(entry: dict) -> Finding | None:
    renderer = RENDERERS.get(entry.get("part", ""))
    if renderer is None:  # a part this version does not know: said by the other parts and the note
        return None
    text, fix = renderer(entry)
    return Finding(entry["part"], text, fix)


def _total(e: dict) -> tuple[str, str]:
    grade = str(Grade(e["grade"]).label) if e.get("grade") in Grade.values else e.get("grade", "")
    text = gettext("Score %(total)s (%(grade)s), below the pass mark of %(pass_mark)s.") % {
        "total": number(e["total"]), "grade": grade, "pass_mark": number(e["pass_mark"])}  # fmt: skip
    return text, ""


def _satisfaction(e: dict) -> tuple[str, str]:
    values = {"score": number(e["score"]), "pass_mark": number(e["pass_mark"]), "share": number(e["satisfied_share"]),
              "n": e.get("responses") or 0}  # fmt: skip
    text = gettext("Residents' satisfaction %(score)s, below the pass mark of %(pass_mark)s.") % values
    if values["n"] and e.get("satisfied_share") is not None:
        text = (
            gettext(
                "Residents' satisfaction %(score)s, below the pass mark of %(pass_mark)s: %(share)s %% of %(n)d counted "
                "answers were satisfied (4 or 5 of 5)."
            )
            % values
        )
    fix = gettext(
        "Ask the residents what they are not satisfied with (the survey's comments, a residents' meeting) and put "
        "it right."
    )
    return text, fix


def _acceptance_text(e: dict) -> tuple[str, str]:
    failed = e.get("failed", [])
    names = pgettext("list separator", ", ").join(
        gettext("%(item)s (%(note)s)") % {"item": f["label"], "note": f["note"]} if f.get("note") else f["label"]
        for f in failed
    )
    if failed:
        text = gettext("On-site acceptance: %(failed)d of %(items)d checklist items failed: %(names)s.") % {
            "failed": len(failed), "items": e.get("items", len(failed)), "names": names}  # fmt: skip
    else:
        text = gettext("On-site acceptance scored %(score)s, below the pass mark of %(pass_mark)s.") % {
            "score": number(e["score"]), "pass_mark": number(e["pass_mark"])}  # fmt: skip
    fix = gettext("Put right each failed checklist item; the next on-site acceptance checks them again.")
    return text, fix


def _indicators(e: dict) -> tuple[str, str]:
    text = gettext("Objective indicators scored %(score)s, below the pass mark of %(pass_mark)s.") % {
        "score": number(e["score"]), "pass_mark": number(e["pass_mark"])}  # fmt: skip
    return text, ""


INDICATOR_FIXES = {
    IndicatorKind.COMPLAINT_CHANGE: lambda: gettext("Reduce the complaints: remove their most frequent causes."),
    IndicatorKind.CLOSURE_RATE: lambda: gettext("Close the residents' open reports about the project."),
    IndicatorKind.ON_TIME_RATE: lambda: gettext("Answer residents' reports within their deadline."),
    IndicatorKind.BUDGET_EXECUTION: lambda: gettext("Bring the spending in line with the budget and the plan."),
    IndicatorKind.MILESTONE_PUNCTUALITY: lambda: gettext("Reach the overdue milestones and keep the schedule."),
}


def _target_sentence(label: str, value: str, target: str, direction: str) -> str:
    values = {"indicator": label, "value": value, "target": target}
    if direction == AT_MOST:
        return gettext("%(indicator)s: %(value)s; the target is at most %(target)s.") % values
    return gettext("%(indicator)s: %(value)s; the target is at least %(target)s.") % values


def _indicator_text(e: dict) -> tuple[str, str]:
    kind = e.get("kind", "")
    label = str(IndicatorKind(kind).label) if kind in IndicatorKind.values else kind
    value = number(e["value"])
    if e.get("counts"):
        part, whole = e["counts"]
        value = gettext("%(value)s (%(part)d of %(whole)d)") % {"value": value, "part": part, "whole": whole}
    fix = INDICATOR_FIXES.get(kind, lambda: "")()
    return _target_sentence(label, value, number(e["target"]), e.get("direction", AT_LEAST)), fix


def _manual_text(e: dict) -> tuple[str, str]:
    unit = e.get("unit") or ""
    text = _target_sentence(e["name"], f"{number(e['actual'])}{unit}", f"{number(e['target'])}{unit}", e["direction"])
    return text, gettext("Bring %(indicator)s to its target.") % {"indicator": e["name"]}


RENDERERS = {
    "total": _total,
    "satisfaction": _satisfaction,
    "acceptance": _acceptance_text,
    "indicators": _indicators,
    "indicator": _indicator_text,
    "manual": _manual_text,
}


def as_text(data: list[dict], note: str = "") -> str:
    """Plain text for e-mails, exports and the API: one line per part, what to fix, then the evaluator's note."""
    lines = []
    for finding in render(data):
        lines.append(finding.text)
        if finding.fix:
            lines.append("  → " + finding.fix)
    if note.strip():
        lines.append(note.strip())
    return "\n".join(lines)
