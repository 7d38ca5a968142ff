"""The product's URLs, plus the baselines the benchmark compares them with (never deployed)."""

from django.urls import path

from civicworks.urls import urlpatterns as product

from . import naive

urlpatterns = [
    path("bench/naive/map/", naive.NaiveMapViewSet.as_view({"get": "list"})),
    path("bench/naive/projects/", naive.NaiveProjectViewSet.as_view({"get": "list"})),
    path("bench/naive/projects/<str:code>/", naive.NaiveProjectViewSet.as_view({"get": "retrieve"})),
    path("bench/minimal/reports/", naive.minimal_report),
    *product,
]
