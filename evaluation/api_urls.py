"""Routes of the evaluation app under /api/v1/: published results, and the steps of an order."""

from django.urls import path

from . import api

urlpatterns = [
    path("evaluation/cycles/", api.CycleListApi.as_view(), name="evaluation-api-cycles"),
    path(
        "evaluation/cycles/<int:year>/<int:quarter>/scorecards/",
        api.ScorecardListApi.as_view(),
        name="evaluation-api-scorecards",
    ),
    path("evaluation/trend/", api.TrendApi.as_view(), name="evaluation-api-trend"),
    path("evaluation/orders/<int:pk>/answer/", api.OrderAnswerApi.as_view(), name="evaluation-api-order-answer"),
    path("evaluation/orders/<int:pk>/verify/", api.OrderVerifyApi.as_view(), name="evaluation-api-order-verify"),
]
