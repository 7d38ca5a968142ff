"""`{% load participation %}{% project_needs project %}`: the needs box for the project page."""

from django import template

from participation.selectors import needs_for_project

register = template.Library()


@register.inclusion_tag("participation/_project_needs.html")
def project_needs(project) -> dict:
    return {"needs": list(needs_for_project(project=project))}
