"""The residents' hotspot page (the API route is in feedback/api_urls.py)."""

from django.urls import path

from . import hotspots

urlpatterns = [
    path("hotspots/", hotspots.page, name="hotspots"),
]
