"""Routes of the feedback app under /api/v1/."""

from django.urls import path

from . import api

urlpatterns: list = [
    path("reports/", api.ReportListCreateApi.as_view(), name="feedback-api-reports"),
    path("reports/<int:pk>/", api.ReportDetailApi.as_view(), name="feedback-api-report"),
]
