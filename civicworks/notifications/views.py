"""The residents' notification pages: the list, opening one, preferences, unsubscribing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .kinds import Channel

PAGE_SIZE = 20


@login_required
def inbox(request):
    rows = request.user.notifications.only("id", "subject", "body", "link", "created_at", "read_at")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def open_notification(request, pk: int):
    """Mark one of the user's notifications read and go where it points (only the owner's: 404 otherwise)."""
    notification = get_object_or_404(request.user.notifications.only("id", "link"), pk=pk)
    services.mark_read(user=request.user, ids=[notification.pk])
    link = notification.link
    # Links are paths our own code wrote; still, never an open redirect.
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("notifications:list")


@login_required
def preferences(request):
    if request.method == "POST":
        ticked = {tuple(value.split(":", 1)) for value in request.POST.getlist("on") if ":" in value}
        services.preferences_save(user=request.user, enabled=ticked)
        messages.success(request, _("Your choices are saved."))
        return redirect("notifications:settings")
    context = {
        "groups": services.preferences_of(request.user),
        "channels": services.channels_of(request.user),
        "email": Channel.EMAIL,
        "sms": Channel.SMS,
    }
    return render(request, "notifications/preferences.html", context)


# RFC 8058 one-click: the mail program POSTs "List-Unsubscribe=One-Click" without a session or a
# CSRF token; the signed token is the only credential, and it can do nothing but unsubscribe.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        if request.method == "GET":
            # A GET never changes anything (link scanners follow links): ask first, naming the kind.
            kind, _holder = services.unsubscribe_kind(token)
            return render(request, "notifications/unsubscribe.html", {"kind": kind, "done": False})
        kind = services.unsubscribe(token=token)
    except services.BadToken as exc:
        return render(request, "notifications/unsubscribe.html", {"error": exc.args[0]}, status=400)
    return render(request, "notifications/unsubscribe.html", {"kind": kind, "done": True})
