"""This app's panels on the project page (`projects.panels`): the quarterly score and the survey
link, the rectification orders and the accountability records. Published quarters only."""

from projects.panels import Panel

from . import selectors
from .models import RectificationOrder, Scorecard


def _number(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _date(value) -> str | None:
    return value.isoformat() if value else None


def score_context(project) -> dict:
    cards = selectors.project_scorecards(project.pk)
    return {"latest": cards[-1] if cards else None, "cards": cards, "survey": selectors.project_open_survey(project.pk)}


def _card(card: Scorecard) -> dict:
    return {
        "quarter": str(card.cycle),
        "results_url": card.cycle.get_absolute_url(),
        "total": _number(card.total),
        "grade": card.grade,
        "grade_label": str(card.get_grade_display()),
        "satisfaction": _number(card.satisfaction_score),
        "acceptance": _number(card.acceptance_score),
        "indicators": _number(card.indicators_score),
        "satisfied_share": _number(card.satisfied_share),
        "responses_counted": card.response_count,
        "change": _number(card.change),
    }


def score_api(context: dict) -> dict:
    survey = context["survey"]
    return {
        "latest": _card(context["latest"]) if context["latest"] else None,
        "trend": [_card(card) for card in context["cards"]],
        "survey": {"url": survey.get_absolute_url(), "closes_on": _date(survey.cycle.survey_closes_on)}
        if survey
        else None,
    }


def rectification_context(project) -> dict:
    orders = selectors.project_orders(project.pk)
    records = [o.accountability for o in orders if _has_record(o)]
    return {
        "open": [o for o in orders if o.is_open],
        "closed": [o for o in orders if not o.is_open],
        "records": records,
    }


def _has_record(order: RectificationOrder) -> bool:
    try:
        return order.accountability is not None
    except RectificationOrder.accountability.RelatedObjectDoesNotExist:
        return False


def _order(order: RectificationOrder) -> dict:
    return {
        "quarter": str(order.cycle),
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "department": order.department.name,
        "responsible_person": order.responsible_person,
        "findings": order.findings_text(),  # the parts with their figures, what to fix, the note: as text
        "findings_parts": [{"part": f.part, "text": f.text, "fix": f.fix} for f in order.finding_lines()],
        "findings_note": order.findings,
        "deadline": _date(order.deadline),
        "answer": order.response,
        "answered_at": order.answered_at.isoformat() if order.answered_at else None,
        "verified_in": str(order.verified_in) if order.verified_in_id else None,
        "verification_note": order.verification_note,
    }


def rectification_api(context: dict) -> dict:
    return {
        "open": [_order(o) for o in context["open"]],
        "closed": [_order(o) for o in context["closed"]],
        "accountability": [
            {
                "quarter": str(r.order.cycle),
                "person": r.person,
                "department": r.department.name,
                "reason": r.reason,
                "recorded_at": r.recorded_at.isoformat(),
            }
            for r in context["records"]
        ],
    }


PANELS = (
    Panel("score", "evaluation/_project_score.html", score_context, score_api, order=10),
    Panel(
        "rectification", "evaluation/_project_rectification.html", rectification_context, rectification_api, order=20
    ),
)
