"""The project list's filters, applied to exports so a download holds what the list shows.

TODO(projects): swap for the projects app's own FilterSet once `projects/selectors.py` and
its filters are committed, so the list page and the exports cannot drift apart.
"""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from evaluation.models import Grade, Scorecard
from feedback.models import Report, ReportKind, ReportStatus, ServiceCategory
from projects.models import Department, District, Project, ProjectCategory, Stage


class ProjectExportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    year = django_filters.NumberFilter(label=_("Year"))
    stage = django_filters.MultipleChoiceFilter(label=_("Stage"), choices=Stage.choices)
    district = django_filters.ModelChoiceFilter(
        label=_("District"), queryset=District.objects.all(), to_field_name="code"
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=ProjectCategory.objects.all(), to_field_name="code"
    )
    lead_unit = django_filters.ModelChoiceFilter(label=_("Lead unit"), queryset=Department.objects.all())

    class Meta:
        model = Project
        fields = ["q", "year", "stage", "district", "category", "lead_unit"]

    def search(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return queryset.filter(Q(title__icontains=value) | Q(code__icontains=value))


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
