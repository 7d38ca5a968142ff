"""The datasets officials and the public download: which rows, which columns, in which order.

A dataset narrows what a user may see (`visible_to`) with the list page's filters, then
reads it as a `values_list` queryset, so an export streams plain tuples from the database
cursor and never builds model instances.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    F,
    Max,
    Model,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from evaluation.models import Grade, Scorecard
from feedback.models import Channel, Report, ReportKind, ReportStatus
from projects.models import Expenditure, Milestone, MoneySum, Project, Stage

from .filters import ProjectListFilters, ReportExportFilter, ScorecardExportFilter
from .selectors import projects_visible_to, reports_visible_to, scorecards_visible_to


@dataclass(frozen=True)
class Column:
    path: str  # a `values_list` lookup
    header: Promise | None = None  # defaults to the model field's verbose name
    choices: dict | None = None  # stored value → label


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Promise
    description: Promise
    model: type[Model]
    columns: list[Column]
    visible_to: Callable[[Any], QuerySet]  # the user's scope (None: the public) of what `filterset` filters
    filterset: type  # a django-filter FilterSet, or anything with its (data, queryset) / is_valid / errors / qs
    rows_for: Callable[[QuerySet], QuerySet]  # filtered scope → rows of `model`
    is_public: bool = True  # offered on the open-data page to everyone
    annotations: dict = field(default_factory=dict)
    updated_field: str | None = "updated_at"  # None: the newest row of the model's history

    def headers(self) -> list[str]:
        return [str(column.header or verbose_name(self.model, column.path)) for column in self.columns]

    def values(self, queryset: QuerySet) -> QuerySet:
        """`queryset` holds rows of `self.model` (from `rows_for` or an admin selection)."""
        return queryset.annotate(**self.annotations).values_list(*(column.path for column in self.columns))

    def filtered_rows(self, user, params) -> QuerySet:
        """The rows `user` may export, narrowed by the list page's filters; InvalidFilters on bad ones."""
        filterset = self.filterset(params, queryset=self.visible_to(user))
        if not filterset.is_valid():
            raise InvalidFilters(filterset.errors)
        return self.rows_for(filterset.qs)

    def updated_at(self, user=None) -> datetime | None:
        """The newest change: rows with `updated_at` carry it; milestones and expenditures only their history."""
        rows = self.rows_for(self.visible_to(user))
        if self.updated_field:
            return rows.aggregate(latest=Max(self.updated_field))["latest"]
        history = self.model.history.filter(id__in=rows.order_by().values("pk"))
        return history.aggregate(latest=Max("history_date"))["latest"]


class InvalidFilters(ValueError):
    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def verbose_name(model: type[Model], path: str) -> str:
    """The verbose name at the end of a lookup path (`project__code` → the code of a project)."""
    *hops, last = path.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model
    return model._meta.get_field(last).verbose_name


STAGES = dict(Stage.choices)
SPENT = Coalesce(
    Subquery(
        Expenditure.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    ),
    0,
    output_field=MoneySum(),  # to the cent on SQLite too (its sums are floats)
)

PROJECTS = Dataset(
    slug="projects",
    title=_("Projects"),
    description=_("Every project with its stage, progress, dates, budget and spending."),
    model=Project,
    columns=[
        Column("code"),
        Column("title"),
        Column("category__name", _("category")),
        Column("district__name", _("district")),
        Column("community__name", _("community")),
        Column("lead_unit__name", _("lead unit")),
        Column("year"),
        Column("stage", choices=STAGES),
        Column("percent_complete"),
        Column("planned_start"),
        Column("planned_end"),
        Column("expected_completion"),
        Column("actual_completion"),
        Column("budget"),
        Column("spent", _("spent (yuan)")),
        Column("funding_sources"),
        Column("beneficiaries"),
        Column("latitude"),
        Column("longitude"),
        Column("last_progress_at"),
        Column("updated_at"),
    ],
    visible_to=projects_visible_to,
    filterset=ProjectListFilters,
    rows_for=lambda projects: projects.order_by("-year", "code"),
    annotations={"spent": SPENT},
)


def _of_projects(*, model, columns: list[Column], order: tuple[str, ...], **about) -> Dataset:
    """A dataset of a project's rows (milestones, payments): the projects' scope and filters, the project named first."""
    return Dataset(
        model=model,
        columns=[Column("project__code", _("project code")), Column("project__title", _("project title")), *columns],
        visible_to=projects_visible_to,
        filterset=ProjectListFilters,
        updated_field=None,
        rows_for=lambda projects: model.objects.filter(project__in=projects.order_by().values("pk")).order_by(*order),
        **about,
    )


MILESTONES = _of_projects(
    slug="milestones",
    title=_("Milestones"),
    description=_("The planned and actual dates of every project milestone."),
    model=Milestone,
    columns=[Column("order"), Column("title"), Column("planned_date"), Column("actual_date")],
    order=("project__code", "order", "planned_date", "pk"),
)

EXPENDITURES = _of_projects(
    slug="expenditures",
    title=_("Expenditures"),
    description=_("Every payment made for a project: date, amount, payee and purpose."),
    model=Expenditure,
    columns=[Column("date"), Column("amount"), Column("payee"), Column("purpose"), Column("voucher_number")],
    order=("project__code", "-date", "pk"),
)

# Anonymised: no reporter, name, phone, e-mail or staff member; the text only where the
# resident allowed it to be public; rows named by the report's number, never by its tracking
# code (the resident's key). Staff only (not on the public page).
REPORTS = Dataset(
    slug="reports",
    title=_("Reports (anonymised)"),
    description=_("Residents' reports without any personal data: category, place, status and handling times."),
    model=Report,
    columns=[
        Column("id", _("report number")),
        Column("kind", choices=dict(ReportKind.choices)),
        Column("category__name", _("category")),
        Column("shared_text", _("description")),
        Column("district__name", _("district")),
        Column("community__name", _("community")),
        Column("latitude"),
        Column("longitude"),
        Column("project__code", _("project code")),
        Column("channel", choices=dict(Channel.choices)),
        Column("status", choices=dict(ReportStatus.choices)),
        Column("department__name", _("department")),
        Column("submitted_at"),
        Column("due_at"),
        Column("resolved_at"),
        Column("closed_at"),
        Column("rating"),
    ],
    visible_to=reports_visible_to,
    filterset=ReportExportFilter,
    rows_for=lambda reports: reports.order_by("-submitted_at", "pk"),
    is_public=False,
    annotations={
        "shared_text": Case(When(text_is_public=True, then=F("text")), default=Value(""), output_field=TextField())
    },
)

# Published quarterly results are public; evaluators and the city also export unpublished cycles.
SCORECARDS = Dataset(
    slug="scorecards",
    title=_("Scorecards"),
    description=_("Quarterly evaluation results of each project: the parts, the score, the grade and the ranks."),
    model=Scorecard,
    columns=[
        Column("cycle__year", _("year")),
        Column("cycle__quarter", _("quarter")),
        Column("project__code", _("project code")),
        Column("project__title", _("project title")),
        Column("project__category__name", _("category")),
        Column("project__district__name", _("district")),
        Column("project__lead_unit__name", _("lead unit")),
        Column("satisfaction_score"),
        Column("acceptance_score"),
        Column("indicators_score"),
        Column("response_count"),
        Column("satisfied_share"),
        Column("happiness_index"),
        Column("total"),
        Column("grade", choices=dict(Grade.choices)),
        Column("rank_in_category"),
        Column("rank_in_district"),
        Column("previous_total"),
        Column("change"),
    ],
    visible_to=scorecards_visible_to,
    filterset=ScorecardExportFilter,
    rows_for=lambda scorecards: scorecards.order_by("-cycle__year", "-cycle__quarter", "project__code"),
    updated_field="cycle__computed_at",
)

DATASETS: dict[str, Dataset] = {
    dataset.slug: dataset for dataset in (PROJECTS, MILESTONES, EXPENDITURES, REPORTS, SCORECARDS)
}
