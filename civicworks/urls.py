from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .accounts.views import EmailView

# Error pages in the site's layout and the reader's language (templates/error.html).
handler400 = "civicworks.views.bad_request"
handler403 = "civicworks.views.permission_denied"
handler404 = "civicworks.views.page_not_found"
handler500 = "civicworks.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Every uploaded file, checked (civicworks/files.py); there is no /media/ route, in DEBUG either.
    path("files/<path:name>", views.stored_file, name="stored-file"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("care-mode/", views.care_mode, name="care-mode"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("admin/", admin.site.urls),
    path("accounts/", include("civicworks.accounts.urls")),
    path("accounts/email/", EmailView.as_view(), name="account_email"),
    # Sign-up, log-in and out, e-mail verification and change, password reset (django-allauth).
    path("accounts/", include("allauth.account.urls")),
    path("notifications/", include("civicworks.notifications.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include("projects.api_urls")),
    path("api/v1/", include("feedback.api_urls")),
    path("api/v1/", include("evaluation.api_urls")),
    path("api/v1/", include("participation.api_urls")),
    path("api/v1/", include("opendata.api_urls")),
    path("open311/v2/", include("feedback.open311_urls")),
    path("", include("projects.urls")),
    path("", include("feedback.urls")),
    path("", include("evaluation.urls")),
    path("", include("participation.urls")),
    path("", include("opendata.urls")),
    path("", include("feedback.hotspots_urls")),
]
