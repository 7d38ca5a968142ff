import redis
from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from . import files


@never_cache
def healthz(request):
    """The process answers; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Ready to serve: the database answers and, when configured, the broker answers."""
    problems = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure to reach the database means "not ready"
        problems["database"] = exc.__class__.__name__
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        except Exception as exc:
            problems["broker"] = exc.__class__.__name__
    if problems:
        response = JsonResponse({"status": "unavailable", "problems": problems}, status=503)
        response["Retry-After"] = "5"
        return response
    return JsonResponse({"status": "ok"})


@require_safe
def stored_file(request, name: str):
    """Every stored file, to whoever its folder's rule lets see it; 404 alike for missing and refused."""
    owner = files.visible_owner(request, name)
    if owner is None:
        raise Http404
    return files.file_response(name, public=files.kind_of(name).is_public(owner))


# Each error status: its heading and what the reader can do about it.
ERRORS = {
    400: (
        _("Bad request"),
        _("The request could not be understood. Check the address or the form and try again."),
    ),
    403: (
        _("Access denied"),
        _("You are not allowed to open this page. If you should be, sign in with the right account."),
    ),
    404: (
        _("This page does not exist"),
        _("There is no page at this address. A tracking code may have been mistyped: check it and try again."),
    ),
    500: (
        _("Something went wrong"),
        _("The site could not answer this time. It has been recorded; please try again in a few minutes."),
    ),
}


def error_page(request, status: int):
    heading, explanation = ERRORS[status]
    # The header's switches return to the path alone: nothing a refused request carried is echoed.
    context = {"status": status, "heading": heading, "explanation": explanation, "return_path": request.path}
    return render(request, "error.html", context, status=status)


def bad_request(request, exception):
    return error_page(request, 400)


def permission_denied(request, exception):
    return error_page(request, 403)


def page_not_found(request, exception):
    return error_page(request, 404)


def server_error(request):
    """The 500 page in the site's layout and the reader's language.

    Django's own handler renders without the request, so the layout would lose its header; if
    rendering the layout fails too (the database may be what is down), Django's plain page answers.
    """
    try:
        return error_page(request, 500)
    except Exception:  # noqa: BLE001 — whatever broke the page must not break the error page
        return defaults.server_error(request, template_name="500-plain.html")


@require_POST
def care_mode(request):
    """Switch care mode (关怀模式) on or off and go back to the page: larger type and controls,
    higher contrast, a navigation of the three things a resident does. Remembered for a year."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "/"
    response = HttpResponseRedirect(back)
    if request.POST.get("care") == "1":
        response.set_cookie(settings.CIVICWORKS_CARE_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie(settings.CIVICWORKS_CARE_COOKIE, samesite="Lax")
    return response


@require_safe
def manifest(request):
    """The web app manifest: a phone can add the site to its home screen, named in the reader's language."""
    icons = [
        {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any maskable"},
        {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    data = {
        "name": str(settings.CIVICWORKS_SITE_NAME),
        "short_name": str(settings.CIVICWORKS_SITE_NAME),
        "description": pgettext("site tagline", "Civic improvement projects"),
        "lang": get_language(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#b3261e",
        "icons": icons,
    }
    return JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
