"""This app's panels on the project page (`projects.panels`): the residents' needs the project
answers, with their supporters, and its co-creation vote with the votes so far or the result."""

from projects.panels import Panel

from .models import CoCreation
from .selectors import cocreation_results, needs_for_project


def needs_context(project) -> dict:
    return {"needs": list(needs_for_project(project=project))}


def needs_api(context: dict) -> list[dict]:
    return [
        {
            "id": need.pk,
            "title": need.title,
            "url": need.get_absolute_url(),
            "status": need.status,
            "supporters": need.support_count,
        }
        for need in context["needs"]
    ]


def cocreation_context(project) -> dict:
    """The project's design vote: open (link to vote) or decided (the winning design), with the counts."""
    cocreation = CoCreation.objects.select_related("winner").filter(project=project).first()
    if cocreation is not None:
        cocreation.project = project  # its URL names the project: no query to fetch it again
    results = cocreation_results(cocreation=cocreation) if cocreation else []
    return {"cocreation": cocreation, "project": project, "results": results}


def cocreation_api(context: dict) -> dict | None:
    cocreation = context["cocreation"]
    if cocreation is None:
        return None
    return {
        "question": cocreation.question,
        "url": cocreation.get_absolute_url(),
        "open": cocreation.is_open(),
        "opens_at": cocreation.opens_at.isoformat(),
        "closes_at": cocreation.closes_at.isoformat(),
        "winner": cocreation.winner.title if cocreation.winner_id else None,
        "options": [{"title": r["title"], "votes": r["votes"], "percent": r["percent"]} for r in context["results"]],
    }


PANELS = (
    Panel("needs", "participation/_project_needs.html", needs_context, needs_api, order=40),
    Panel("cocreation", "participation/_project_cocreation.html", cocreation_context, cocreation_api, order=50),
)
