from django.urls import path, re_path

from . import views

app_name = "opendata"
urlpatterns = [
    path("open-data/", views.open_data, name="index"),
    re_path(r"^open-data/(?P<dataset>[a-z-]+)\.(?P<fmt>[a-z]+)$", views.download, name="download"),
    path("departments/", views.departments, name="departments"),
    path("departments.csv", views.departments_csv, name="departments-csv"),
    path("departments/<slug:code>/", views.department, name="department"),
]
