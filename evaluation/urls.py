from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("evaluation/", views.index, name="index"),
    path("evaluation/<int:year>/q<int:quarter>/", views.cycle_results, name="cycle"),
    path("evaluation/survey/<uuid:token>/", views.survey, name="survey"),
    path("evaluation/survey/<uuid:token>/thanks/", views.survey_thanks, name="survey_thanks"),
    path("evaluation/survey/<uuid:token>/qr.svg", views.survey_qr, name="survey_qr"),
    path("evaluation/survey/<uuid:token>/poster/", views.survey_poster, name="survey_poster"),
]
