"""`{% load files %}`: links to stored files that a page lends its own access decision to."""

from django import template

from . import files

register = template.Library()


@register.filter
def file_url(field_file, grant: bool = False) -> str:
    """The file's URL; with `grant`, signed so that whoever sees this page may open it (for a day)."""
    if not field_file:
        return ""
    return files.granted_url(field_file) if grant else field_file.url
