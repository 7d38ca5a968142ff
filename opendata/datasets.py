"""The datasets officials and the public download: which rows, which columns, in which order.

A dataset turns a queryset of projects (already scoped to the user and filtered like the
list page) into a `values_list` queryset, so an export streams plain tuples from the
database cursor and never builds model instances.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import DecimalField, Max, Model, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from projects.models import MONEY, Expenditure, Milestone, Project, Stage


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
    rows_for_projects: Callable[[QuerySet[Project]], QuerySet]
    annotations: dict = field(default_factory=dict)

    def headers(self) -> list[str]:
        return [str(column.header or verbose_name(self.model, column.path)) for column in self.columns]

    def values(self, queryset: QuerySet) -> QuerySet:
        """`queryset` holds rows of `self.model` (from `rows_for_projects` or an admin selection)."""
        return queryset.annotate(**self.annotations).values_list(*(column.path for column in self.columns))

    def updated_at(self, projects: QuerySet[Project]) -> datetime | None:
        """The newest change: project rows carry `updated_at`; child rows only their history."""
        if self.model is Project:
            return projects.aggregate(latest=Max("updated_at"))["latest"]
        history = self.model.history.filter(project_id__in=projects.values("pk"))
        return history.aggregate(latest=Max("history_date"))["latest"]


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
    output_field=DecimalField(**MONEY),
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
    rows_for_projects=lambda projects: projects.order_by("-year", "code"),
    annotations={"spent": SPENT},
)

MILESTONES = Dataset(
    slug="milestones",
    title=_("Milestones"),
    description=_("The planned and actual dates of every project milestone."),
    model=Milestone,
    columns=[
        Column("project__code", _("project code")),
        Column("project__title", _("project title")),
        Column("order"),
        Column("title"),
        Column("planned_date"),
        Column("actual_date"),
    ],
    rows_for_projects=lambda projects: Milestone.objects.filter(project__in=projects.order_by().values("pk")).order_by(
        "project__code", "order", "planned_date", "pk"
    ),
)

EXPENDITURES = Dataset(
    slug="expenditures",
    title=_("Expenditures"),
    description=_("Every payment made for a project: date, amount, payee and purpose."),
    model=Expenditure,
    columns=[
        Column("project__code", _("project code")),
        Column("project__title", _("project title")),
        Column("date"),
        Column("amount"),
        Column("payee"),
        Column("purpose"),
        Column("voucher_number"),
    ],
    rows_for_projects=lambda projects: Expenditure.objects.filter(
        project__in=projects.order_by().values("pk")
    ).order_by("project__code", "-date", "pk"),
)

# TODO(feedback, evaluation): anonymised reports and scorecards join here once those models land.
DATASETS: dict[str, Dataset] = {dataset.slug: dataset for dataset in (PROJECTS, MILESTONES, EXPENDITURES)}
