"""Boxes for the project page, written once here so `projects/` need not know this app:

`{% load participation %}{% project_needs project %}{% project_cocreation project %}`.
"""

from django import template

from participation.models import CoCreation
from participation.selectors import needs_for_project

register = template.Library()


@register.inclusion_tag("participation/_project_needs.html")
def project_needs(project) -> dict:
    return {"needs": list(needs_for_project(project=project))}


@register.inclusion_tag("participation/_project_cocreation.html")
def project_cocreation(project) -> dict:
    """The project's design vote: open (link to vote) or decided (the winning design)."""
    cocreation = CoCreation.objects.select_related("winner").filter(project=project).first()
    return {"cocreation": cocreation, "project": project}
