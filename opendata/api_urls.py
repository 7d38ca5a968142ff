"""Routes of the opendata app under /api/v1/."""

from django.urls import path, re_path

from . import api

urlpatterns = [
    path("oc4ids/", api.Oc4idsPackageApi.as_view(), name="opendata-oc4ids"),
    re_path(r"^exports/(?P<dataset>[a-z-]+)\.(?P<fmt>[a-z]+)$", api.ExportApi.as_view(), name="opendata-export"),
    path("departments/league/", api.DepartmentLeagueApi.as_view(), name="opendata-department-league"),
    path("departments/<slug:code>/", api.DepartmentApi.as_view(), name="opendata-department"),
]
