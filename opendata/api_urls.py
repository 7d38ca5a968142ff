"""Routes of the opendata app under /api/v1/."""

from django.urls import path, re_path

from . import api

urlpatterns = [
    path("oc4ids/", api.Oc4idsPackageApi.as_view(), name="opendata-oc4ids"),
    re_path(r"^exports/(?P<dataset>[a-z-]+)\.(?P<fmt>[a-z]+)$", api.ExportApi.as_view(), name="opendata-export"),
]
