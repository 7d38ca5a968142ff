"""Export filters: the list pages' own filters, so a download holds what the list shows.

Projects, milestones and expenditures take the project list's filter form and selector
(`projects.forms.ProjectFilterForm`, `projects.selectors.project_filter`) through a small adapter
with the FilterSet interface the datasets use; reports and scorecards have FilterSets here.
"""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from evaluation.models import Grade, Scorecard
from feedback.models import Report, ReportKind, ReportStatus, ServiceCategory
from projects.forms import ProjectFilterForm
from projects.models import District, Project, ProjectCategory
from projects.selectors import project_filter


class ProjectListFilters:
    """The project list's filters (q, district, category, stage, year, department) over any scope."""

    def __init__(self, data, queryset: QuerySet[Project]):
        self.form = ProjectFilterForm(data or None)
        self.queryset = queryset

    def is_valid(self) -> bool:
        return not self.form.is_bound or self.form.is_valid()

    @property
    def errors(self) -> dict:
        return self.form.errors

    @property
    def qs(self) -> QuerySet[Project]:
        filters = self.form.cleaned_data if self.form.is_bound else {}
        return project_filter(self.queryset, filters)


class ReportExportFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=ReportStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ReportKind.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=ServiceCategory.objects.all(), to_field_name="code"
    )
    district = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=District.objects.all(), to_field_name="code"
    )
    submitted_after = django_filters.DateFilter(
        label=_("Submitted from"), field_name="submitted_at__date", lookup_expr="gte"
    )
    submitted_before = django_filters.DateFilter(
        label=_("Submitted until"), field_name="submitted_at__date", lookup_expr="lte"
    )

    class Meta:
        model = Report
        fields = ["status", "kind", "category", "district", "submitted_after", "submitted_before"]


class ScorecardExportFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"), field_name="cycle__year")
    quarter = django_filters.NumberFilter(label=_("Quarter"), field_name="cycle__quarter")
    grade = django_filters.MultipleChoiceFilter(label=_("Grade"), choices=Grade.choices)
    district = django_filters.ModelChoiceFilter(
        label=_("District"), field_name="project__district", queryset=District.objects.all(), to_field_name="code"
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        field_name="project__category",
        queryset=ProjectCategory.objects.all(),
        to_field_name="code",
    )

    class Meta:
        model = Scorecard
        fields = ["year", "quarter", "grade", "district", "category"]
