"""The pages of notifications: unsubscribing from an e-mail's link."""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services


# RFC 8058 one-click: the mail program POSTs "List-Unsubscribe=One-Click" without a session or a
# CSRF token; the signed token is the only credential, and it can do nothing but unsubscribe.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    if request.method == "GET":
        # A GET never changes anything (link scanners follow links): ask first.
        return render(request, "notifications/unsubscribe.html", {"token": token, "done": False})
    try:
        kind = services.unsubscribe(token=token)
    except services.BadToken as exc:
        return render(request, "notifications/unsubscribe.html", {"error": exc.args[0]}, status=400)
    return render(request, "notifications/unsubscribe.html", {"kind": kind, "done": True})
