"""Routes of the projects app under /api/v1/."""

from django.urls import path

from . import api

app_name = "projects-api"
urlpatterns = [
    path("projects/", api.ProjectListApi.as_view(), name="list"),
    path("projects/map/", api.ProjectMapApi.as_view(), name="map"),
    path("projects/<str:code>/", api.ProjectDetailApi.as_view(), name="detail"),
    path("projects/<str:code>/updates/", api.ProgressCreateApi.as_view(), name="update-create"),
    path("projects/<str:code>/milestones/", api.MilestoneCreateApi.as_view(), name="milestone-create"),
    path(
        "projects/<str:code>/milestones/<int:pk>/complete/",
        api.MilestoneCompleteApi.as_view(),
        name="milestone-complete",
    ),
    path("projects/<str:code>/expenditures/", api.ExpenditureCreateApi.as_view(), name="expenditure-create"),
    path("departments/", api.DepartmentListApi.as_view(), name="departments"),
    path("districts/", api.DistrictListApi.as_view(), name="districts"),
]
