"""Boxes for the project page, written once here so `projects/` need not know this app:

`{% load participation %}{% project_needs project %}{% project_cocreation project %}`. The
project page itself shows them as panels (participation/panels.py), with the same context.
"""

from django import template

from participation import panels

register = template.Library()


@register.inclusion_tag("participation/_project_needs.html")
def project_needs(project) -> dict:
    return {"panel": panels.needs_context(project)}


@register.inclusion_tag("participation/_project_cocreation.html")
def project_cocreation(project) -> dict:
    """The project's design vote: open (link to vote) or decided (the winning design)."""
    return {"panel": panels.cocreation_context(project), "project": project}
