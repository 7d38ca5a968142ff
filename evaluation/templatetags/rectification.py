"""The project page's box of rectification photos, written here so `projects/` need not know this app:

`{% load rectification %}{% project_rectification_photos project %}`.
"""

from django import template

from evaluation.selectors import public_orders_with_photos

register = template.Library()


@register.inclusion_tag("evaluation/_project_before_after.html")
def project_rectification_photos(project) -> dict:
    """Each published order of the project with its before/after pair (two queries)."""
    return {"orders": public_orders_with_photos(project)}
