"""Reads of projects shared by the pages, the console, the API and the reminders.

Money figures (spent, allocated, remaining, execution rate, over budget) and the count of
overdue milestones are computed in SQL as correlated subqueries, so a list of any length
costs the same number of queries and joins never multiply rows.
"""

import json
from datetime import date
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Floor, Round
from django.utils import timezone

from .models import (
    MONEY,
    BudgetAllocation,
    ChainRole,
    Department,
    District,
    Expenditure,
    Follow,
    Milestone,
    MoneySum,
    ProgressUpdate,
    Project,
    ResponsiblePerson,
    Stage,
)

ZERO = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))
LATEST_UPDATES = 10


def _sum_of(model, field: str = "amount") -> Round:
    rows = model.objects.filter(project=OuterRef("pk")).order_by().values("project").annotate(total=Sum(field))
    total = Coalesce(Subquery(rows.values("total")[:1], output_field=DecimalField(**MONEY)), ZERO)
    # Round to the cent: exact on PostgreSQL already; on SQLite sums are floats (0.47 - 0.53 = -0.0600…01),
    # and MoneySum reads them back as 500000.75, not 500000.750000000.
    return Round(total, 2, output_field=MoneySum())


def overdue_on(day: date) -> Q:
    """A milestone overdue on `day`: planned before it and not reached by the end of it (of an open project)."""
    return Q(planned_date__lt=day) & (Q(actual_date__isnull=True) | Q(actual_date__gt=day))


def _overdue_milestones(today: date) -> Coalesce:
    rows = (
        Milestone.objects.filter(overdue_on(today), project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
    )
    return Coalesce(Subquery(rows.values("n")[:1], output_field=IntegerField()), Value(0))


def with_figures(projects: QuerySet[Project], today: date | None = None) -> QuerySet[Project]:
    """Annotate spent, allocated, remaining, execution_rate (%), over_budget and overdue_milestones."""
    today = today or timezone.localdate()
    return projects.annotate(
        spent=_sum_of(Expenditure),
        allocated=_sum_of(BudgetAllocation),
        # A cancelled, suspended or finished project has no overdue milestones to chase.
        overdue_milestones=Case(
            When(stage__in=open_stages(), then=_overdue_milestones(today)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    ).annotate(
        remaining=Round(F("budget") - F("spent"), 2, output_field=MoneySum()),
        execution_rate=Case(
            When(budget__gt=0, then=ExpressionWrapper(F("spent") * 100 / F("budget"), output_field=DecimalField())),
            default=None,
            output_field=DecimalField(),
        ),
        over_budget=Case(When(spent__gt=F("budget"), then=Value(True)), default=Value(False)),
    )


def overdue_milestone_rows(project: Project, today: date | None = None) -> list[Milestone]:
    """The milestones `with_figures` counts as overdue for `project` (none for a closed or suspended one)."""
    today = today or timezone.localdate()
    if project.stage not in open_stages():
        return []
    return list(project.milestones.filter(overdue_on(today)).order_by("planned_date", "order"))


def project_summary(project: Project, today: date | None = None) -> dict:
    """What is wrong with a project, for the top of its console page: `project` comes from `with_figures`.

    The alarms are the list filters' and the public page's (over_budget, days_behind, overdue
    milestones); the rest are the figures they are read against.
    """
    today = today or timezone.localdate()
    expected, planned = project.expected_completion, project.planned_end
    return {
        "budget": project.budget,
        "allocated": project.allocated,
        "spent": project.spent,
        "over_budget": project.over_budget,
        "overspent": project.spent - project.budget if project.over_budget else None,
        "percent_spent": round(project.execution_rate) if project.execution_rate is not None else None,
        "percent_complete": project.percent_complete,
        "planned_end": planned,
        "expected_completion": expected,
        "expected_later_by": (expected - planned).days if expected and planned and expected > planned else 0,
        "days_behind": project.days_behind(today),
        "overdue_milestones": overdue_milestone_rows(project, today),
    }


def project_filter(projects: QuerySet[Project], filters: dict) -> QuerySet[Project]:
    """The list/map/export filters on any project queryset (the public list, the console export)."""
    if district := filters.get("district"):
        projects = projects.filter(district__code=district)
    if category := filters.get("category"):
        projects = projects.filter(category__code=category)
    if stage := filters.get("stage"):
        projects = projects.filter(stage=stage)
    if year := filters.get("year"):
        projects = projects.filter(year=year)
    if department := filters.get("department"):
        # A subquery, not a join: a join on co-organisers would repeat rows.
        involved = Project.objects.for_department(department).order_by().values("pk")
        projects = projects.filter(pk__in=involved)
    if q := (filters.get("q") or "").strip():
        projects = projects.filter(Q(title__icontains=q) | Q(code__icontains=q) | Q(description__icontains=q))
    return projects


def project_list(*, filters: dict | None = None, public_only: bool = True) -> QuerySet[Project]:
    """Projects for lists (page, API, console), filtered, with their figures and related names."""
    projects = Project.objects.public() if public_only else Project.objects.all()
    projects = project_filter(projects, filters or {})
    return with_figures(projects.select_related("category", "district", "community", "lead_unit"))


def project_detail(*, code: str, public_only: bool = True, expenditures: int | None = None) -> Project:
    """One project with its chain, milestones, latest updates and money, in a fixed number of queries.

    `expenditures`: at most that many of the newest expenditure rows (the page); None: all (the API).
    """
    latest = ProgressUpdate.objects.select_related("author").order_by("-created_at")[:LATEST_UPDATES]
    # The chain reads top-down: project lead, grid worker, supervisor.
    role_rank = Case(*[When(role=r, then=Value(i)) for i, r in enumerate(ChainRole.values)], default=Value(9))
    people = ResponsiblePerson.objects.select_related("department").order_by(role_rank, "name")
    rows = project_list(public_only=public_only).prefetch_related(
        "co_organisers",
        Prefetch("people", queryset=people),
        Prefetch("milestones", queryset=Milestone.objects.order_by("order", "planned_date")),
        Prefetch("updates", queryset=latest, to_attr="latest_updates"),
        Prefetch("allocations", queryset=BudgetAllocation.objects.order_by("date")),
    )
    project = rows.get(code=code)
    # Plain rows, not instances: a project has up to thousands of expenditures (one query either way).
    project.expenditure_rows = list(expenditure_rows(project)[:expenditures])
    return project


def expenditure_rows(project: Project) -> QuerySet:
    """A project's expenditures, newest first, as plain rows."""
    return Expenditure.objects.filter(project=project).order_by("-date", "-pk").values(*EXPENDITURE_FIELDS)


EXPENDITURE_FIELDS = ("id", "date", "amount", "payee", "purpose", "voucher_number")


def expenditure_output(row: dict) -> dict:
    """An expenditure row as the API shows it (money as a string with two decimals, as DRF's DecimalField)."""
    return {**row, "date": row["date"].isoformat(), "amount": f"{row['amount']:.2f}"}


def public_contact(person: ResponsiblePerson) -> dict:
    """What the public may know about a person of the chain: contact only if marked public."""
    shown = {"role": person.role, "role_label": str(person.get_role_display()), "name": person.name}
    shown["position"] = person.title
    shown["department"] = person.department.name if person.department_id else ""
    if person.contact_is_public:
        shown.update(phone=person.phone, email=person.email)
    return shown


def map_points(*, projects: QuerySet[Project], bbox: tuple[float, float, float, float] | None) -> QuerySet:
    """Plain rows for the map's point features (no model instances on this hot path)."""
    if bbox:
        west, south, east, north = bbox
        projects = projects.filter(longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north)
    return projects.order_by().values(
        "code",
        "title",
        "stage",
        "percent_complete",
        "expected_completion",
        "latitude",
        "longitude",
        category_name=F("category__name"),
        district_name=F("district__name"),
    )


# The map's point features built by PostgreSQL: one statement, no Python per point (at 5,000
# points the dicts and json.dumps were ~3x the query itself). Same shape as the Python path.
FEATURES_SQL = """
SELECT coalesce(json_agg(json_build_object(
  'type', 'Feature',
  'geometry', json_build_object('type', 'Point', 'coordinates', json_build_array(p.longitude, p.latitude)),
  'properties', json_build_object(
    'code', p.code, 'title', p.title, 'stage', p.stage, 'stage_label', %s::jsonb ->> p.stage,
    'percent_complete', p.percent_complete, 'expected_completion', p.expected_completion,
    'category', p.category_name, 'district', p.district_name, 'url', replace(%s, %s, p.code)))), '[]')::text
FROM ({rows}) AS p
"""


def map_features_json(rows: QuerySet, *, stage_labels: dict, url_template: str, code_slot: str) -> str:
    """The JSON array of point features for `rows` (from map_points, sliced), built in the database."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a filter no row can match (e.g. a year out of the column's range)
        return "[]"
    with connections[rows.db].cursor() as cursor:  # the replica when the request reads it (civicworks/db.py)
        cursor.execute(FEATURES_SQL.format(rows=sql), [json.dumps(stage_labels), url_template, code_slot, *params])
        return cursor.fetchone()[0]


def public_projects_per(field: str) -> Coalesce:
    """The public projects whose `field` is the outer row, counted in a subquery for each row.

    A join of every project with DISTINCT took 200 ms at 100,000 projects for the departments;
    COUNT(*) reads each row's public projects from a partial index alone (13 ms).
    """
    counted = (
        Project.objects.filter(**{field: OuterRef("pk")}, is_public=True)
        .order_by()
        .values(field)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def department_list() -> QuerySet[Department]:
    return Department.objects.select_related("parent").annotate(led=public_projects_per("lead_unit"))


def overdue_milestones_by_lead(days: dict[str, date]) -> dict[int, dict[str, int]]:
    """Per lead unit, its public open projects' milestones overdue on each of `days` (name → day), in one query."""
    rows = (
        Milestone.objects.filter(project__is_public=True, project__stage__in=open_stages())
        .order_by()
        .values("project__lead_unit_id")
        .annotate(**{name: Count("pk", filter=overdue_on(day)) for name, day in days.items()})
    )
    return {row.pop("project__lead_unit_id"): row for row in rows}


def district_list() -> QuerySet[District]:
    return District.objects.annotate(project_count=public_projects_per("district")).prefetch_related("communities")


def open_stages() -> list[str]:
    return [s for s in Stage.values if s not in (Stage.COMPLETED, Stage.CANCELLED, Stage.SUSPENDED)]


def map_clusters(*, projects: QuerySet[Project], bbox: tuple | None, cell_degrees: float) -> QuerySet:
    """Projects grouped in grid cells of `cell_degrees`, counted and averaged in the database."""
    if bbox:
        west, south, east, north = bbox
        projects = projects.filter(longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north)
    return (
        projects.order_by()
        .annotate(cell_x=Floor(F("longitude") / cell_degrees), cell_y=Floor(F("latitude") / cell_degrees))
        .values("cell_x", "cell_y")
        .annotate(count=Count("pk"), latitude=Avg("latitude"), longitude=Avg("longitude"))
        # No ORDER BY: with it PostgreSQL sorts every row (to disk at 100,000) for a GroupAggregate
        # instead of hashing; 63 ms -> 33 ms for the whole city. The caller orders the few cells.
    )


# --- Followers ------------------------------------------------------------------------------


def _follows_of(projects: list[Project]) -> QuerySet[Follow]:
    communities = {p.community_id for p in projects if p.community_id}
    return Follow.objects.filter(
        Q(project__in=[p.pk for p in projects]) | Q(community__in=communities), user__is_active=True
    ).select_related("user")


def followers_by_project(projects) -> dict[int, list]:
    """Each project's followers (of the project, or of its community), in one query.

    For any app telling followers of several projects at once (a review cycle opening).
    """
    projects = list(projects)
    by_project: dict[int, dict] = {p.pk: {} for p in projects}
    by_community: dict[int, list[int]] = {}
    for p in projects:
        if p.community_id:
            by_community.setdefault(p.community_id, []).append(p.pk)
    for follow in _follows_of(projects):
        targets = [follow.project_id] if follow.project_id else by_community.get(follow.community_id, [])
        for pk in targets:
            if pk in by_project:
                by_project[pk][follow.user_id] = follow.user
    return {pk: list(users.values()) for pk, users in by_project.items()}


def followers(project: Project) -> list:
    """The accounts following the project or its community (one query)."""
    return followers_by_project([project])[project.pk]


def follow_state(user, project: Project) -> dict:
    """What the Follow buttons show: counts and whether this user follows (one query)."""
    rows = Follow.objects.filter(Q(project=project) | Q(community_id=project.community_id, project=None))
    counts = rows.values("project_id").annotate(
        n=Count("pk"), mine=Count("pk", filter=Q(user_id=getattr(user, "pk", None)))
    )
    state = {"project": 0, "community": 0, "follows_project": False, "follows_community": False}
    for row in counts:
        target = "project" if row["project_id"] else "community"
        state[target] = row["n"]
        state[f"follows_{target}"] = row["mine"] > 0
    return state


def follows_of(user) -> QuerySet[Follow]:
    """What a resident follows, newest first, with what the list shows."""
    return Follow.objects.filter(user=user).select_related("project", "community__district")
