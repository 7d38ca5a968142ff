from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="field"),
    path("reports/<int:pk>/", views.report, name="field-report"),
    path("projects/<int:pk>/", views.project, name="field-project"),
]
