"""The project list's filters, applied to exports so a download holds what the list shows.

TODO(projects): swap for the projects app's own FilterSet once `projects/selectors.py` and
its filters are committed, so the list page and the exports cannot drift apart.
"""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

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
