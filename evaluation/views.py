"""Residents' pages: published results with trends, and the satisfaction survey (mobile first)."""

import secrets
from io import BytesIO

import segno
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicworks.rounding import round_half_up
from feedback.abuse import client_ip

from . import integrity, selectors, services
from .forms import ResultsFilterForm, SurveyForm
from .models import ResponseKind, Survey

DEVICE_COOKIE = "cw_survey_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600


def index(request):
    return render(
        request,
        "evaluation/index.html",
        {
            "cycles": list(selectors.published_cycles().reverse()),
            "trend": trend_rows(selectors.cycle_trend()),
            "surveys": selectors.open_surveys()[:50],
        },
    )


def cycle_results(request, year: int, quarter: int):
    cycle = selectors.published_cycle(year, quarter)
    if cycle is None:
        raise Http404(_("No published results for this quarter."))
    filters = ResultsFilterForm(request.GET or None)
    cards = list(filters.apply(selectors.cycle_scorecards(cycle)))
    trends = selectors.project_trends([c.project_id for c in cards])
    city = trend_rows(selectors.cycle_trend())
    for card in cards:
        card.trend = trends[card.project_id]
        card.sparkline = sparkline([total for _label, total in card.trend])
    return render(
        request,
        "evaluation/cycle.html",
        {
            "cycle": cycle,
            "cards": cards,
            "orders": selectors.cycle_orders(cycle),
            "trend": city,
            "before_after": before_after(city, cycle),
            "filters": filters,
        },
    )


def trend_rows(rows: list[dict]) -> list[dict]:
    # Half up like the scorecards (round() took 66.65 to 66.6), from the raw average: no double rounding.
    for row in rows:
        row["average"] = round_half_up(row["average"], 1)
        row["satisfied"] = round_half_up(row["satisfied"], 1)
    return rows


def before_after(rows: list[dict], cycle) -> dict | None:
    """Share of satisfied residents in the first published quarter and in this one (62 % → 91 %)."""
    known = [r for r in rows if r["satisfied"] is not None and (r["year"], r["quarter"]) <= (cycle.year, cycle.quarter)]
    if len(known) < 2:
        return None
    return {"before": known[0], "after": known[-1]}


def sparkline(values: list) -> str:
    """SVG polyline points for scores 0–100 in a 100 × 30 box (the page states the values in text too)."""
    points = [float(v) for v in values if v is not None]
    if len(points) < 2:
        return ""
    step = 100 / (len(points) - 1)
    return " ".join(f"{i * step:.1f},{30 - v * 0.3:.1f}" for i, v in enumerate(points))


def device_token(request) -> tuple[str, bool]:
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    if 16 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum():
        return token, False
    return secrets.token_urlsafe(24), True


@require_http_methods(["GET", "POST"])
def survey(request, token):
    item = get_object_or_404(Survey.objects.select_related("cycle", "project", "project__district"), token=token)
    device, new_device = device_token(request)
    # A printed card's link carries its code (…?code=ABCD-EFGH-JKMN): filled in for the resident.
    form = SurveyForm(request.POST or None, initial={"code": request.GET.get("code", "")[:20]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            client = integrity.fingerprint(item.pk, client_ip(request), request.META.get("HTTP_USER_AGENT", ""))
            try:
                answer = services.survey_respond(
                    survey=item, user=request.user, device_token=device, fingerprint=client, **form.cleaned_data
                )
            except services.EvaluationError as exc:
                form.add_error("code" if isinstance(exc, services.InvalidCode) else None, str(exc))
                status = 409 if isinstance(exc, services.AlreadyAnswered) else 400
            else:
                response = redirect("evaluation:survey_thanks", token=item.token)
                if answer.kind == ResponseKind.ANONYMOUS:
                    response["Location"] += "?kept=apart"
                return remember_device(response, device, new_device)
        else:
            status = 400
    is_open = item.cycle.takes_answers()
    response = render(
        request, "evaluation/survey.html", {"survey": item, "form": form, "is_open": is_open}, status=status
    )
    return remember_device(response, device, new_device)


def remember_device(response, device: str, new_device: bool):
    if new_device:
        response.set_cookie(DEVICE_COOKIE, device, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax")
    return response


def survey_thanks(request, token):
    item = get_object_or_404(Survey.objects.select_related("project"), token=token)
    kept_apart = request.GET.get("kept") == "apart"  # only the wording of the page: nothing is decided here
    return render(request, "evaluation/survey_thanks.html", {"survey": item, "kept_apart": kept_apart})


def survey_poster(request, token):
    """A printable poster with the QR code, for the project site (the survey's public link)."""
    item = get_object_or_404(Survey.objects.select_related("cycle", "project", "project__district"), token=token)
    url = request.build_absolute_uri(item.get_absolute_url())
    return render(request, "evaluation/survey_poster.html", {"survey": item, "survey_url": url})


def survey_qr(request, token):
    item = get_object_or_404(Survey, token=token)
    qr = segno.make(request.build_absolute_uri(item.get_absolute_url()), error="m")
    buffer = BytesIO()
    qr.save(buffer, kind="svg", scale=6, border=2, title=_("Satisfaction survey"))
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
