from django.urls import path

from . import views

app_name = "participation"
urlpatterns = [
    path("needs/", views.need_list, name="need-list"),
    path("needs/new/", views.need_new, name="need-new"),
    path("needs/<int:pk>/", views.need_detail, name="need-detail"),
    path("needs/<int:pk>/support/", views.need_support, name="need-support"),
    path("annual/", views.annual_index, name="annual-index"),
    path("annual/<int:year>/", views.annual_list, name="annual-list"),
    path("observers/apply/", views.observer_apply, name="observer-apply"),
    path("observers/me/", views.observer_me, name="observer-me"),
    path("observers/honour-roll/", views.honour_roll, name="honour-roll"),
    path("observers/<int:pk>/", views.observer_page, name="observer-page"),
    path("cocreation/", views.cocreation_list, name="cocreation-list"),
    path("cocreation/<str:code>/", views.cocreation_detail, name="cocreation"),
    path("cocreation/<str:code>/results.json", views.cocreation_results, name="cocreation-results"),
    path("cocreation/<str:code>/vote/", views.cocreation_vote, name="cocreation-vote"),
    path("points/", views.my_points, name="my-points"),
    path("points/redeem/<int:item_id>/", views.points_redeem, name="points-redeem"),
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
]
