from django.urls import include, path

from . import live, views

app_name = "feedback"
urlpatterns: list = [
    path("reports/new/", views.submit, name="submit"),
    path("track/<str:code>/live/", live.report_live, name="report-live"),
    path("console/queue/live/", live.queue_live, name="queue-live"),
    path("reports/nearby/", views.nearby, name="nearby"),
    path("reports/", views.public_list, name="list"),
    path("reports/map.json", views.map_data, name="map-data"),
    path("reports/mine/", views.mine, name="mine"),
    path("reports/mine/<int:pk>/", views.my_report, name="my-report"),
    path("reports/fixed/<str:token>/", views.fixed_question, name="fixed"),
    path("reports/figures/", views.figures, name="figures"),
    path("reports/<int:pk>/", views.detail, name="detail"),
    path("track/", views.track_lookup, name="track-lookup"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/confirm/", views.track_confirm, name="confirm"),
    path("track/<str:code>/reopen/", views.track_reopen, name="reopen"),
    path("track/<str:code>/rate/", views.track_rate, name="rate"),
    path("field/", include("feedback.field.urls")),
]
