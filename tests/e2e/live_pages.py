"""Test-only URLconf: the site plus a minimal tracking page wired to live.js the way
the real tracking page should be (see the README, "Hotspots and live updates")."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import path

from civicworks.urls import urlpatterns as site_urlpatterns
from feedback import selectors
from feedback.models import Report

PAGE = engines["django"].from_string(
    """{% extends "base.html" %}{% load static %}
{% block content %}<h1>{{ report.tracking_code }}</h1>
<div id="live-report" data-live-url="{% url 'live:report' report.tracking_code %}" data-live-interval="2">
{% include "feedback/_report_body.html" with show_text=False %}
</div>{% endblock %}
{% block scripts %}<script src="{% static 'js/live.js' %}" defer></script>{% endblock %}"""
)


def minimal_tracking_page(request, code: str) -> HttpResponse:
    report = get_object_or_404(Report, tracking_code=code)
    context = {"report": report, "timeline": selectors.public_timeline(report), "photos": []}
    return HttpResponse(PAGE.render(context, request))


urlpatterns = [path("e2e/track/<str:code>/", minimal_tracking_page), *site_urlpatterns]
