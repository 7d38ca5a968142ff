"""API shapes. Serializers validate input and shape output; they never write."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import MONEY, Stage
from .selectors import expenditure_output, public_contact


class ProjectOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url")
    year = serializers.IntegerField()
    stage = serializers.CharField()
    stage_label = serializers.CharField(source="get_stage_display")
    percent_complete = serializers.IntegerField()
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    district = serializers.CharField(source="district.code")
    district_name = serializers.CharField(source="district.name")
    community = serializers.CharField(source="community.name", default=None, allow_null=True)
    lead_unit = serializers.CharField(source="lead_unit.name")
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    planned_start = serializers.DateField()
    planned_end = serializers.DateField()
    expected_completion = serializers.DateField(allow_null=True)
    actual_completion = serializers.DateField(allow_null=True)
    budget = serializers.DecimalField(**MONEY)
    spent = serializers.DecimalField(**MONEY)
    allocated = serializers.DecimalField(**MONEY)
    remaining = serializers.DecimalField(**MONEY)
    execution_rate = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    over_budget = serializers.BooleanField()
    overdue_milestones = serializers.IntegerField()
    days_behind = serializers.IntegerField()
    last_progress_at = serializers.DateTimeField(allow_null=True)


_MONEY = serializers.DecimalField(**MONEY)
_RATE = ProjectOutputSerializer().fields["execution_rate"]
_WHEN = serializers.DateTimeField()


def _date(value) -> str | None:
    return value.isoformat() if value else None


def project_output(project) -> dict:
    """What ProjectOutputSerializer gives for a project of `selectors.project_list`, built directly.

    The list API's hot path: DRF's per-field machinery cost ~10 ms for a page of 50; the same
    field instances format the values, and a test keeps both shapes equal.
    """
    money = _MONEY.to_representation
    return {
        "code": project.code,
        "title": project.title,
        "url": project.get_absolute_url(),
        "year": project.year,
        "stage": project.stage,
        "stage_label": project.get_stage_display(),
        "percent_complete": project.percent_complete,
        "category": project.category.code,
        "category_name": project.category.name,
        "district": project.district.code,
        "district_name": project.district.name,
        "community": project.community.name if project.community_id else None,
        "lead_unit": project.lead_unit.name,
        "latitude": float(project.latitude),
        "longitude": float(project.longitude),
        "planned_start": _date(project.planned_start),
        "planned_end": _date(project.planned_end),
        "expected_completion": _date(project.expected_completion),
        "actual_completion": _date(project.actual_completion),
        "budget": money(project.budget),
        "spent": money(project.spent),
        "allocated": money(project.allocated),
        "remaining": money(project.remaining),
        "execution_rate": None if project.execution_rate is None else _RATE.to_representation(project.execution_rate),
        "over_budget": bool(project.over_budget),
        "overdue_milestones": project.overdue_milestones,
        "days_behind": project.days_behind(),
        "last_progress_at": _WHEN.to_representation(project.last_progress_at) if project.last_progress_at else None,
    }


class PersonOutputSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_label = serializers.CharField()
    name = serializers.CharField()
    position = serializers.CharField()
    department = serializers.CharField()
    phone = serializers.CharField(required=False, help_text="Only when the person's contact details are public.")
    email = serializers.CharField(required=False, help_text="Only when the person's contact details are public.")


class MilestoneOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    planned_date = serializers.DateField()
    actual_date = serializers.DateField(allow_null=True)
    order = serializers.IntegerField()


class UpdateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    stage = serializers.CharField()
    percent_complete = serializers.IntegerField()
    text = serializers.CharField()


class ExpenditureOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    amount = serializers.DecimalField(**MONEY)
    payee = serializers.CharField()
    purpose = serializers.CharField()
    voucher_number = serializers.CharField()


class AllocationOutputSerializer(serializers.Serializer):
    date = serializers.DateField()
    amount = serializers.DecimalField(**MONEY)
    source = serializers.CharField()


class ProjectDetailOutputSerializer(ProjectOutputSerializer):
    description = serializers.CharField()
    funding_sources = serializers.CharField()
    beneficiaries = serializers.IntegerField()
    co_organisers = serializers.SerializerMethodField()
    chain = serializers.SerializerMethodField()
    milestones = MilestoneOutputSerializer(many=True, source="milestones.all")
    latest_updates = UpdateOutputSerializer(many=True)
    allocations = AllocationOutputSerializer(many=True, source="allocations.all")
    expenditures = serializers.SerializerMethodField()

    @extend_schema_field(ExpenditureOutputSerializer(many=True))
    def get_expenditures(self, project) -> list[dict]:
        # Shaped by hand: DRF fields cost ~25 µs a row, and a project may list thousands.
        return [expenditure_output(row) for row in project.expenditure_rows]

    def get_co_organisers(self, project) -> list[str]:
        return [d.name for d in project.co_organisers.all()]

    def get_chain(self, project) -> list[dict]:
        return PersonOutputSerializer([public_contact(p) for p in project.people.all()], many=True).data


class DepartmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    parent = serializers.CharField(source="parent.name", default=None, allow_null=True)
    led_projects = serializers.IntegerField(source="led")


class ProgressInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    percent_complete = serializers.IntegerField(min_value=0, max_value=100)
    text = serializers.CharField(max_length=5000)


class MilestoneInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    planned_date = serializers.DateField()
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class MilestoneCompleteInputSerializer(serializers.Serializer):
    actual_date = serializers.DateField(required=False)


class ExpenditureInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    amount = serializers.DecimalField(**MONEY, min_value=0, help_text=_("Yuan, greater than zero."))
    payee = serializers.CharField(max_length=120)
    purpose = serializers.CharField(max_length=200)
    voucher_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
