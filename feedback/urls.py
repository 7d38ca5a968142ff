from django.urls import path
from django.views.generic import TemplateView

app_name = "feedback"
# Placeholder until the report form lands: the project page's QR code and link point here
# (`/reports/new/?project=MX-2026-014`).
urlpatterns: list = [
    path("reports/new/", TemplateView.as_view(template_name="projects/home.html"), name="submit"),
]
