"""Residents' pages: the project map (home), the list, a project's page and its QR code."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from civicworks import keyset
from civicworks.maps import map_settings

from . import panels, selectors, services
from .forms import ProjectFilterForm
from .models import Community, Project, Stage

PAGE_SIZE = 20
HOME_LIST_SIZE = 12


def _filters(request) -> tuple[ProjectFilterForm, dict]:
    form = ProjectFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


@require_GET
def home(request):
    """The project map; without JavaScript, the filtered list below it is the page."""
    form, filters = _filters(request)
    projects = selectors.project_list(filters=filters).order_by("-year", "code")
    context = {
        "form": form,
        "projects": projects[:HOME_LIST_SIZE],
        "total": projects.count(),
        "query": request.GET.urlencode(),
        "stages": Stage.choices,
        "map": map_settings(),
    }
    return render(request, "projects/home.html", context)


@require_GET
def project_list(request):
    form, filters = _filters(request)
    projects = selectors.project_list(filters=filters).order_by("-year", "code")
    try:
        page = keyset.list_page(request, projects, PAGE_SIZE)
    except keyset.BadCursor:
        return keyset.bad_page(request)
    total = page.count if page.count is not None else projects.count()
    return render(request, "projects/list.html", {"form": form, "page": page, "total": total})


PROJECT_MAP_ZOOM = 16  # the site and its streets
PAGE_EXPENDITURES = 20  # on the project page; all of them on its expenditures page
EXPENDITURES_PER_PAGE = 100


@require_GET
def project_detail(request, code: str):
    try:
        # One more than shown: tells whether to link to the full list, without counting.
        project = selectors.project_detail(code=code, expenditures=PAGE_EXPENDITURES + 1)
    except Project.DoesNotExist:
        raise Http404 from None
    more_expenditures = len(project.expenditure_rows) > PAGE_EXPENDITURES
    project.expenditure_rows = project.expenditure_rows[:PAGE_EXPENDITURES]
    report_url = f"{reverse('feedback:submit')}?project={project.code}"
    context = {
        "project": project,
        "people": [selectors.public_contact(p) for p in project.people.all()],
        "report_url": report_url,
        "photos": [u for u in project.latest_updates if u.photo],
        "chart": _budget_chart(project),
        "more_expenditures": more_expenditures,
        "today": timezone.localdate(),
        "follow": selectors.follow_state(request.user, project),
        "panels": panels.fill(project),
        "map": map_settings(latitude=project.latitude, longitude=project.longitude, zoom=PROJECT_MAP_ZOOM),
    }
    return render(request, "projects/detail.html", context)


@require_GET
def project_expenditures(request, code: str):
    """Every expenditure of a project, newest first, a page at a time."""
    project = get_object_or_404(Project.objects.public(), code=code)
    page = Paginator(selectors.expenditure_rows(project), EXPENDITURES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "projects/expenditures.html", {"project": project, "page": page})


def _budget_chart(project: Project) -> dict:
    """Bar widths (0–300 px) for budget, allocated and spent on one scale, for the SVG."""
    largest = max(project.budget, project.allocated, project.spent) or 1
    width = 300

    def bar(amount) -> int:
        return int(round(float(amount) / float(largest) * width))

    return {"budget": bar(project.budget), "allocated": bar(project.allocated), "spent": bar(project.spent)}


@require_GET
@cache_control(max_age=86400, public=True)
def project_qr(request, code: str):
    """The project's QR code (SVG): it opens the report form about this project."""
    if not Project.objects.public().filter(code=code).exists():
        raise Http404
    url = request.build_absolute_uri(f"{reverse('feedback:submit')}?project={code}&via=qr")
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, title=code)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


# --- Follows ----------------------------------------------------------------------------------


def _back(request, default: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def _follow_step(request, said: tuple[str, str], **target) -> None:
    """Follow or unfollow as the form asks, and say so (`said`: followed, stopped); an unknown action is refused."""
    action = request.POST.get("action")
    if action not in ("follow", "unfollow"):
        messages.error(request, _("Choose whether to follow or to stop following."))
        return
    step = services.follow if action == "follow" else services.unfollow
    step(user=request.user, **target)
    messages.success(request, said[0] if action == "follow" else said[1])


@login_required
@require_POST
def project_follow(request, code: str):
    project = get_object_or_404(Project.objects.public(), code=code)
    said = (_("You follow this project: you will hear of its progress."), _("You no longer follow this project."))
    _follow_step(request, said, project=project)
    return _back(request, project.get_absolute_url())


@login_required
@require_POST
def community_follow(request, pk: int):
    community = get_object_or_404(Community, pk=pk)
    said = (_("You follow this community: you will hear of its projects."), _("You no longer follow this community."))
    _follow_step(request, said, community=community)
    return _back(request, reverse("projects:following"))


@login_required
@require_GET
def following(request):
    """Things I follow: each with a button to stop."""
    return render(request, "projects/following.html", {"follows": selectors.follows_of(request.user)})
