from django.urls import path

from . import live, views

app_name = "projects"
urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="list"),
    path("projects/<str:code>/", views.project_detail, name="detail"),
    path("projects/<str:code>/qr.svg", views.project_qr, name="qr"),
    path("projects/<str:code>/expenditures/", views.project_expenditures, name="expenditures"),
    path("projects/<str:code>/live/", live.project_live, name="live"),
    path("projects/<str:code>/follow/", views.project_follow, name="follow"),
    path("communities/<int:pk>/follow/", views.community_follow, name="community-follow"),
    path("following/", views.following, name="following"),
]
