"""Routes of the participation app under /api/v1/."""

from django.urls import path

from . import api

urlpatterns: list = [
    path("needs/", api.NeedListApi.as_view(), name="participation-api-needs"),
    path("needs/<int:pk>/support/", api.NeedSupportApi.as_view(), name="participation-api-need-support"),
    path("cocreation/<str:code>/vote/", api.DesignVoteApi.as_view(), name="participation-api-vote"),
    path("points/me/", api.MyPointsApi.as_view(), name="participation-api-my-points"),
]
