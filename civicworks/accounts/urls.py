from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("my-data/", views.my_data, name="my-data"),
    path("my-data/download/", views.my_data_download, name="my-data-download"),
    path("my-data/delete/", views.my_data_erase, name="my-data-delete"),
    path("phone/", views.phone, name="phone"),
    path("phone/send/", views.phone_send, name="phone-send"),
    path("phone/confirm/", views.phone_confirm, name="phone-confirm"),
]
