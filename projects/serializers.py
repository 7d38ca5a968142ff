"""API shapes. Serializers validate input and shape output; they never write."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import MONEY, Stage
from .selectors import public_contact


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
    expenditures = ExpenditureOutputSerializer(many=True, source="expenditures.all")

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
