"""`{% load workflow %}` … `{% if report|can:"rate" %}`: templates ask the model's one declaration of its steps."""

from django import template

register = template.Library()


@register.filter
def can(obj, step: str) -> bool:
    return obj.can(step)
