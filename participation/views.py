"""Residents' pages: the needs board, the annual list, observers, co-creation, points, meetings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicworks import keyset
from civicworks.accounts.models import Role, User
from civicworks.maps import map_settings

from . import selectors, services
from .forms import MonthForm, NeedFilterForm, NeedForm, ObserverApplyForm
from .models import CoCreation, DesignOption, Need, ObserverApplication, RewardItem
from .rules import observer_quota, reason_label

PAGE_SIZE = 20


def _errors_to_messages(request, exc: ValidationError) -> None:
    # An unverified account's refusal carries a link to send the confirmation mail again (base.html).
    tags = "unverified" if getattr(exc, "code", None) == "unverified" else ""
    for message in exc.messages:
        messages.error(request, message, extra_tags=tags)


def _refuse_form(request, form, exc: ValidationError) -> None:
    if getattr(exc, "code", None) == "unverified":
        _errors_to_messages(request, exc)
        form.refused = True
    else:
        form.add_error(None, exc)


def _found(select, **lookup):
    """The selector's row, or 404: its `.get()` finds no row that is missing or not public."""
    try:
        return select(**lookup)
    except ObjectDoesNotExist:
        raise Http404 from None


def _form_status(form) -> int:
    return 400 if form.errors or getattr(form, "refused", False) else 200


def _count_once(request, target, cast, *, counted: str, repeated: str):
    """A support or a vote, counted once a person: `cast()` says whether this one counted; the
    target's page says which, or why it was refused."""
    try:
        was_counted = cast()
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, counted if was_counted else repeated)
    return redirect(target)


# --- Needs -------------------------------------------------------------------------------------


@require_GET
def need_list(request):
    form = NeedFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        page = keyset.list_page(request, selectors.need_list(filters=filters), PAGE_SIZE)
    except keyset.BadCursor:
        return keyset.bad_page(request)
    supported = selectors.has_supported(user=request.user, need_ids=[n.pk for n in page])
    markers = [
        {"lat": n.latitude, "lng": n.longitude, "title": n.title, "url": n.get_absolute_url()} for n in page
    ]  # the page's own rows: the map adds no query
    context = {"form": form, "page": page, "supported": supported, "markers": markers, "map": map_settings()}
    return render(request, "participation/need_list.html", context)


@require_GET
def need_detail(request, pk: int):
    need = _found(selectors.need_detail, pk=pk)
    supported = selectors.has_supported(user=request.user, need_ids=[need.pk])
    return render(request, "participation/need_detail.html", {"need": need, "supported": need.pk in supported})


@login_required
def need_new(request):
    form = NeedForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need = services.need_propose(
                author=request.user, category=data["category"], title=data["title"], text=data["text"],
                latitude=data["latitude"], longitude=data["longitude"], district=data["district"],
                community=data["community"], photo=data["photo"],
            )  # fmt: skip
        except ValidationError as exc:
            _refuse_form(request, form, exc)
        else:
            messages.success(request, _("Thank you: your need is on the board."))
            return redirect(need)
    context = {"form": form, "map": map_settings()}
    return render(request, "participation/need_form.html", context, status=_form_status(form))


@login_required
@require_POST
def need_support(request, pk: int):
    need = get_object_or_404(Need.objects.public(), pk=pk)
    return _count_once(
        request,
        need,
        lambda: services.need_support(need=need, user=request.user),
        counted=_("Thank you for your support."),
        repeated=_("You already support this need."),
    )


@require_GET
def annual_index(request):
    years = selectors.annual_years()
    return redirect("participation:annual-list", year=years[0] if years else timezone.localdate().year)


@require_GET
def annual_list(request, year: int):
    context = {"year": year, "projects": selectors.annual_list(year=year), "years": selectors.annual_years()}
    return render(request, "participation/annual_list.html", context)


# --- Observers ---------------------------------------------------------------------------------


@login_required
def observer_apply(request):
    form = ObserverApplyForm(request.POST or None)
    pending = ObserverApplication.objects.filter(user=request.user, status="pending").first()
    if request.method == "POST" and form.is_valid():
        try:
            services.observer_apply(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _refuse_form(request, form, exc)
        else:
            messages.success(request, _("Thank you. Staff will review your application."))
            return redirect("participation:observer-apply")
    context = {"form": form, "pending": pending}
    return render(request, "participation/observer_apply.html", context, status=_form_status(form))


@require_GET
def observer_page(request, pk: int):
    observer = get_object_or_404(User, pk=pk, role=Role.OBSERVER, is_active=True)
    record = selectors.observer_record(user=observer, today=timezone.localdate())
    context = {"observer": observer, "record": record, "quota": observer_quota()}
    return render(request, "participation/observer_page.html", context)


@login_required
@require_GET
def observer_me(request):
    if request.user.role != Role.OBSERVER:
        return redirect("participation:observer-apply")
    return redirect("participation:observer-page", pk=request.user.pk)


@require_GET
def honour_roll(request):
    form = MonthForm(request.GET or None)
    month = (form.cleaned_data.get("month") if form.is_valid() else None) or timezone.localdate()
    context = {"month": month.replace(day=1), "roll": selectors.honour_roll(month=month), "quota": observer_quota()}
    return render(request, "participation/honour_roll.html", context)


# --- Co-creation -------------------------------------------------------------------------------


def _cocreation(code: str) -> CoCreation:
    return _found(selectors.cocreation_for_project, code=code)


def _decided(cocreation: CoCreation) -> CoCreation:
    """Record the winner on read too, so the page never waits for the periodic sweep."""
    if cocreation.decided_at is None and cocreation.has_ended():
        services.cocreation_record_winner(cocreation=cocreation)
        cocreation.refresh_from_db()
    return cocreation


@require_GET
def cocreation_list(request):
    now = timezone.now()
    return render(request, "participation/cocreation_list.html", {"votes": selectors.cocreations_open(now=now)})


@require_GET
def cocreation_detail(request, code: str):
    cocreation = _decided(_cocreation(code))
    voted = request.user.is_authenticated and cocreation.votes.filter(user=request.user).exists()
    context = {
        "cocreation": cocreation,
        "results": selectors.cocreation_results(cocreation=cocreation),
        "voted": voted,
        "is_open": cocreation.is_open(),
    }
    return render(request, "participation/cocreation_detail.html", context)


@require_GET
def cocreation_results(request, code: str):
    cocreation = _decided(_cocreation(code))
    rows = selectors.cocreation_results(cocreation=cocreation)
    data = {
        "open": cocreation.is_open(),
        "winner": cocreation.winner_id,
        "total": sum(r["votes"] for r in rows),
        "options": [{"id": r["id"], "votes": r["votes"], "percent": r["percent"]} for r in rows],
    }
    return JsonResponse(data)


@login_required
@require_POST
def cocreation_vote(request, code: str):
    cocreation = _cocreation(code)
    option = DesignOption.objects.filter(cocreation=cocreation, pk=request.POST.get("option") or 0).first()
    if option is None:
        messages.error(request, _("Choose one of the options."))
        return redirect(cocreation)
    return _count_once(
        request,
        cocreation,
        lambda: services.design_vote_cast(cocreation=cocreation, option=option, user=request.user),
        counted=_("Your vote is counted."),
        repeated=_("You have already voted."),
    )


# --- Points ------------------------------------------------------------------------------------


@login_required
@require_GET
def my_points(request):
    page = Paginator(selectors.points_history(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.label = reason_label(entry.reason)
    context = {
        "balance": selectors.points_balance(user=request.user),
        "page": page,
        "catalogue": selectors.reward_catalogue(),
    }
    return render(request, "participation/my_points.html", context)


@login_required
@require_POST
def points_redeem(request, item_id: int):
    item = get_object_or_404(RewardItem, pk=item_id, is_active=True)
    try:
        services.points_redeem(user=request.user, item=item)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Redeemed: %(name)s. Staff will hand it over.") % {"name": item.name})
    return redirect("participation:my-points")


# --- Meetings ----------------------------------------------------------------------------------


@require_GET
def meeting_list(request):
    page = Paginator(selectors.meetings_published(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "participation/meeting_list.html", {"page": page})


@require_GET
def meeting_detail(request, pk: int):
    meeting = _found(selectors.meeting_public_detail, pk=pk)
    context = {"meeting": meeting, "today": timezone.localdate()}
    return render(request, "participation/meeting_detail.html", context)
