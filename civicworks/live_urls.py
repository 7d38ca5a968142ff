"""Fragment endpoints for live updates (polled by static/js/live.js)."""

from django.urls import path

from . import live_views

app_name = "live"
urlpatterns = [
    path("projects/<str:code>/live/", live_views.project_live, name="project"),
    path("track/<str:code>/live/", live_views.report_live, name="report"),
    path("console/queue/live/", live_views.queue_live, name="queue"),
]
