"""Routes of the feedback app under /api/v1/."""

from django.urls import path

from . import api
from .field.api import SiteCheckCreateApi
from .hotspots import HotspotsApi

urlpatterns: list = [
    path("reports/", api.ReportListCreateApi.as_view(), name="feedback-api-reports"),
    path("reports/hotspots/", HotspotsApi.as_view(), name="feedback-api-hotspots"),
    path("reports/<int:pk>/", api.ReportDetailApi.as_view(), name="feedback-api-report"),
    path("reports/<int:pk>/resolve/", api.ReportResolveApi.as_view(), name="feedback-api-report-resolve"),
    path("field/checks/", SiteCheckCreateApi.as_view(), name="feedback-api-site-checks"),
]
