"""Reads shared by the pages, the API, the console and the tasks."""

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from civicworks.accounts.models import Role, User
from feedback.models import Report, ReportKind
from projects.models import Project

from .models import ActionItem, CoCreation, Meeting, Need, PointsBalance, PointsEntry, RewardItem
from .rules import observer_quota
from .services import month_bounds


def need_list(*, filters: dict | None = None) -> QuerySet[Need]:
    """Public needs with their support count and the projects they became (three queries per page)."""
    filters = filters or {}
    needs = Need.objects.public().select_related("category", "district", "community")
    for field in ("category", "district", "status"):
        if filters.get(field):
            needs = needs.filter(**{field: filters[field]})
    needs = needs.annotate(support_count=Count("supports", distinct=True)).order_by("-created_at", "-id")
    return needs.prefetch_related(
        Prefetch("projects", queryset=Project.objects.public().only("id", "code", "title", "year", "stage"))
    )


def need_detail(*, pk: int) -> Need:
    return need_list().get(pk=pk)


def needs_for_project(*, project: Project) -> QuerySet[Need]:
    """The needs a project answers, for the project page (`participation/_project_needs.html`)."""
    return (
        Need.objects.public()
        .filter(project_links__project=project)
        .select_related("category", "community")
        .annotate(support_count=Count("supports", distinct=True))
        .order_by("-support_count", "id")
    )


def annual_list(*, year: int) -> QuerySet[Project]:
    """The annual project list (年度民心工程项目清单): a year's public projects with their needs."""
    needs = Need.objects.public().annotate(support_count=Count("supports", distinct=True)).order_by("-support_count")
    return (
        Project.objects.public()
        .filter(year=year)
        .select_related("category", "district", "lead_unit")
        .annotate(need_count=Count("need_links", distinct=True))
        .prefetch_related(Prefetch("needs", queryset=needs))
        .order_by("code")
    )


def annual_years() -> list[int]:
    return list(Project.objects.public().order_by("-year").values_list("year", flat=True).distinct())


def has_supported(*, user: User, need_ids: list[int]) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(user.need_supports.filter(need_id__in=need_ids).values_list("need_id", flat=True))


# --- Observers ---------------------------------------------------------------------------------


def _suggestions(month: date) -> QuerySet[Report]:
    start, end = month_bounds(month)
    return Report.objects.filter(
        kind=ReportKind.SUGGESTION, submitted_at__date__gte=start, submitted_at__date__lt=end, reporter__isnull=False
    )


def observer_suggestion_count(*, user: User, month: date) -> int:
    return _suggestions(month).filter(reporter=user).count()


def observer_record(*, user: User, months: int = 6, today: date) -> list[dict]:
    """Suggestions filed per month over the last `months` months, newest first, against the quota."""
    rows = []
    month = today.replace(day=1)
    for _i in range(months):
        count = observer_suggestion_count(user=user, month=month)
        rows.append({"month": month, "count": count, "quota": observer_quota(), "met": count >= observer_quota()})
        month = (month.replace(day=1) - date.resolution).replace(day=1)
    return rows


def observers_with_counts(*, month: date) -> QuerySet[User]:
    start, end = month_bounds(month)
    in_month = Q(
        reports__kind=ReportKind.SUGGESTION, reports__submitted_at__date__gte=start, reports__submitted_at__date__lt=end
    )
    return User.objects.filter(role=Role.OBSERVER, is_active=True).annotate(
        suggestion_count=Count("reports", filter=in_month)
    )


def honour_roll(*, month: date, size: int = 10) -> list[User]:
    """The month's most active observers who met their quota (ties: earlier username first)."""
    return list(
        observers_with_counts(month=month)
        .filter(suggestion_count__gte=observer_quota())
        .order_by("-suggestion_count", "username")[:size]
    )


def observers_under_quota(*, month: date) -> QuerySet[User]:
    return observers_with_counts(month=month).filter(suggestion_count__lt=observer_quota())


# --- Co-creation -------------------------------------------------------------------------------


def cocreation_for_project(*, code: str) -> CoCreation:
    return CoCreation.objects.select_related("project", "winner").get(project__code=code, project__is_public=True)


def cocreation_results(*, cocreation: CoCreation) -> list[dict]:
    """Votes per option, in option order (one query; the order is the tie rule's order)."""
    rows = cocreation.options.annotate(vote_count=Count("votes")).order_by("order", "id")
    total = sum(row.vote_count for row in rows)
    return [
        {
            "id": row.pk,
            "title": row.title,
            "text": row.text,
            "image": row.image.url if row.image else "",
            "estimated_cost": str(row.estimated_cost),
            "votes": row.vote_count,
            "percent": round(100 * row.vote_count / total) if total else 0,
        }
        for row in rows
    ]


def cocreations_open(*, now) -> QuerySet[CoCreation]:
    return CoCreation.objects.filter(closes_at__gt=now).select_related("project").order_by("closes_at")


def cocreations_to_decide(*, now) -> QuerySet[CoCreation]:
    return CoCreation.objects.filter(decided_at=None, closes_at__lte=now)


# --- Points ------------------------------------------------------------------------------------


def points_balance(*, user: User) -> int:
    row = PointsBalance.objects.filter(user=user).values_list("balance", flat=True).first()
    return row or 0


def points_history(*, user: User) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(user=user).order_by("-created_at", "-id")


def reward_catalogue() -> QuerySet[RewardItem]:
    return RewardItem.objects.filter(is_active=True).order_by("cost", "name")


# --- Meetings ----------------------------------------------------------------------------------


def meetings_published() -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(is_published=True)
        .select_related("chair_department")
        .annotate(item_count=Count("items"))
        .order_by("-date", "-id")
    )


def meeting_public_detail(*, pk: int) -> Meeting:
    items = ActionItem.objects.select_related("owner_department", "project").order_by("due_date", "id")
    return (
        Meeting.objects.filter(is_published=True)
        .select_related("chair_department")
        .prefetch_related("attending", Prefetch("items", queryset=items))
        .get(pk=pk)
    )


def action_items_due(*, today: date, within_days: int) -> QuerySet[ActionItem]:
    from datetime import timedelta

    return ActionItem.objects.filter(
        done_at=None, due_date__gte=today, due_date__lte=today + timedelta(days=within_days)
    ).select_related("owner_department", "meeting")


def action_items_overdue(*, today: date) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(done_at=None, due_date__lt=today).select_related(
        "owner_department", "meeting__chair_department"
    )
