"""Residents' pages: the report form, tracking by code, my reports, the public map, list and figures."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicworks import keyset
from civicworks.inputs import parse_id
from civicworks.maps import map_settings, parse_bbox
from projects.models import Project

from . import fixed, selectors, services
from .abuse import submission_allowed
from .forms import FixedForm, RateForm, ReopenForm, ReportForm, TrackForm
from .models import Channel, Report, ReportStep, normalise_tracking_code

PAGE_SIZE = 25


def _map_settings(project=None) -> dict:
    """A report about a project (the QR code at its site) opens the map on the project, at street zoom."""
    if project is not None and project.latitude is not None and project.longitude is not None:
        return {"map": map_settings(latitude=project.latitude, longitude=project.longitude, zoom=17)}
    return {"map": map_settings(zoom=13)}


def _project_from(code: str) -> Project | None:
    return Project.objects.public().filter(code=code).first() if code else None


def _channel(request, via: str) -> tuple[str, object]:
    """A staff member filing at a service window is recorded; a QR code link is counted as such."""
    if via == "window" and request.user.is_authenticated and request.user.is_staff:
        return Channel.WINDOW, request.user
    return (Channel.QR if via == "qr" else Channel.WEB), None


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _similar(data: dict) -> list[Report]:
    if data.get("not_a_duplicate") or data.get("latitude") is None:
        return []
    return selectors.nearby(latitude=data["latitude"], longitude=data["longitude"], category_id=data["category"].pk)


def _submit(request, form: ReportForm):
    data = form.cleaned_data
    channel, taken_by = _channel(request, data["via"])
    return services.report_submit(
        category=data["category"], text=data["text"], kind=data["kind"], text_is_public=data["text_is_public"],
        latitude=data["latitude"], longitude=data["longitude"], address=data["address"],
        project=_project_from(data["project"]),
        # At a window the signed-in user is the clerk, not the resident: the code alone is the key.
        reporter=None if channel == Channel.WINDOW else request.user,
        reporter_name=data["reporter_name"], reporter_phone=data["reporter_phone"],
        reporter_email=data["reporter_email"], channel=channel, taken_by=taken_by, photos=data["photos"],
    )  # fmt: skip


def submit(request):
    """The report form; without JavaScript, similar reports are shown as a preview step."""
    initial = {"project": request.GET.get("project", ""), "via": request.GET.get("via", "")}
    form = ReportForm(request.POST or None, request.FILES or None, initial=initial)
    project = _project_from(request.POST.get("project") or initial["project"])
    similar: list[Report] = []
    if request.method == "POST" and form.is_valid():
        similar = _similar(form.cleaned_data)
        if not similar:
            if not submission_allowed(request):
                return render(request, "feedback/rate_limited.html", status=429)
            try:
                report = _submit(request, form)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request, _("Thank you. Keep your tracking code: %(code)s") % {"code": report.tracking_code}
                )
                return redirect("feedback:track", code=report.tracking_code)
    # A report kept offline is sent later through the API, which names categories by code.
    codes = {str(pk): code for pk, code in form.fields["category"].queryset.values_list("pk", "code")}
    context = {
        "form": form,
        "project": project,
        "similar": similar,
        "category_codes": json.dumps(codes),
        **_map_settings(project),
    }
    return render(request, "feedback/submit.html", context, status=400 if form.errors else 200)


@require_GET
def nearby(request):
    """JSON for the form's "similar reports nearby" box: public fields only."""
    try:
        latitude, longitude = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return JsonResponse({"error": _("lat and lng are required numbers.")}, status=400)
    category = request.GET.get("category", "")
    category_id = parse_id(category) if category else None
    if category and category_id is None:
        return JsonResponse({"error": _("category is the id of a category.")}, status=400)
    rows = selectors.nearby(latitude=latitude, longitude=longitude, category_id=category_id)
    return JsonResponse({"results": [_public_dict(r) for r in rows]})


def _public_dict(report: Report) -> dict:
    return {
        "id": report.pk,
        "category": report.category.name,
        "status": report.get_status_display(),
        "text": report.public_text[:140],
        "submitted_at": report.submitted_at.isoformat(),
        "url": reverse("feedback:detail", args=[report.pk]),
    }


def track_lookup(request):
    form = TrackForm(request.GET or None)
    if form.is_valid():
        return redirect("feedback:track", code=normalise_tracking_code(form.cleaned_data["code"]))
    return render(request, "feedback/track_lookup.html", {"form": form})


def _tracked(code: str) -> Report:
    report = selectors.report_by_code(code)
    if report is None:
        raise Http404
    return report


def track(request, code: str):
    report = _tracked(code)
    if code != report.tracking_code:  # typed with spaces, dashes, lower case or look-alike letters
        return redirect("feedback:track", code=report.tracking_code)
    is_reporter = services.may_act_as_reporter(request.user, report, code)
    context = {
        "report": report,
        "is_reporter": is_reporter,
        "timeline": selectors.public_timeline(report),
        "photos": selectors.photos_of(report),
        "reopen_form": ReopenForm(),
        "rate_form": RateForm(),
    }
    return render(request, "feedback/track.html", context)


def _resident_step(request, code: str, step) -> HttpResponse:
    report = _tracked(code)
    try:
        step(report)
    except PermissionDenied:
        return render(request, "feedback/refused.html", {"report": report}, status=403)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Thank you, your answer is recorded."))
    return redirect("feedback:track", code=report.tracking_code)


@require_POST
def track_confirm(request, code: str):
    return _resident_step(
        request, code, lambda r: services.report_confirm(report=r, user=request.user, tracking_code=code)
    )


@require_POST
def track_reopen(request, code: str):
    form = ReopenForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _resident_step(
        request,
        code,
        lambda r: services.report_reopen(report=r, user=request.user, tracking_code=code, reason=reason),
    )


@require_POST
def track_rate(request, code: str):
    form = RateForm(request.POST)
    rating = form.cleaned_data["rating"] if form.is_valid() else 0
    comment = form.cleaned_data.get("comment", "") if form.is_valid() else ""
    return _resident_step(
        request,
        code,
        lambda r: services.report_rate(report=r, user=request.user, tracking_code=code, rating=rating, comment=comment),
    )


@login_required
def mine(request):
    page = Paginator(selectors.reports_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/mine.html", {"page": page})


@login_required
def my_report(request, pk: int):
    """A notification's link for an account's report: its tracking page, for that account only.

    The code stays out of the notification (an e-mail is forwarded, a screen is shared).
    """
    report = get_object_or_404(Report.objects.only("tracking_code"), pk=pk, reporter=request.user)
    return redirect("feedback:track", code=report.tracking_code)


def fixed_question(request, token: str):
    """ "Is it fixed?" from the question's link: a GET shows the question (link scanners follow
    links), the POST answers it once."""
    report = fixed.report_from_token(token)
    if report is None:
        raise Http404
    if report.reporter_id and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = FixedForm(request.POST or None, initial={"answer": request.GET.get("answer", "")})
    context = {"report": report, "form": form, "open": report.can(ReportStep.ANSWER_FIXED)}
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_fixed_answer(
                report=report,
                user=request.user,
                fixed=form.cleaned_data["answer"] == "fixed",
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied:
            return render(request, "feedback/fixed.html", {**context, "refused": True}, status=403)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return render(request, "feedback/fixed.html", {**context, "report": report, "done": True})
    return render(request, "feedback/fixed.html", context, status=400 if form.errors else 200)


def public_list(request):
    rows = selectors.public_reports()
    if category := request.GET.get("category"):
        rows = rows.filter(category__code=category)
    project = None
    if code := request.GET.get("project"):
        # The project page's "all reports about this project"; a hidden project shows none.
        project = selectors.public_project(code)
        rows = rows.filter(project=project) if project else rows.none()
    try:
        page = keyset.list_page(request, rows.order_by("-submitted_at"), PAGE_SIZE)
    except keyset.BadCursor:
        return keyset.bad_page(request)
    context = {
        "page": page,
        "categories": selectors.active_categories(),
        "category": category or "",
        "project": project,
        "project_code": code or "",
        **_map_settings(),
    }
    return render(request, "feedback/list.html", context)


@require_GET
def map_data(request):
    try:
        bbox = parse_bbox(raw) if (raw := request.GET.get("bbox")) else None
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    points = selectors.map_points(bbox=bbox)
    for point in points:
        point["url"] = reverse("feedback:detail", args=[point["id"]])
        point["submitted_at"] = point["submitted_at"].isoformat()
    return JsonResponse({"results": points})


def detail(request, pk: int):
    report = get_object_or_404(selectors.public_reports(), pk=pk)
    context = {"report": report, "timeline": selectors.public_timeline(report), "photos": selectors.photos_of(report)}
    return render(request, "feedback/detail.html", context)


def figures(request):
    period = selectors.period_from(request.GET.get("period", ""))
    return render(request, "feedback/figures.html", {"figures": selectors.figures(period=period)})
