"""API serializers: they validate input and shape public output; they never write."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicworks.inputs import EMAIL_MAX_LENGTH

from .models import Report, ReportEvent, ReportKind, ServiceCategory


class CategoryOutputSerializer(serializers.ModelSerializer):
    department = serializers.StringRelatedField()

    class Meta:
        model = ServiceCategory
        fields = ["code", "name", "description", "department", "sla_hours"]


class EventOutputSerializer(serializers.ModelSerializer):
    department = serializers.StringRelatedField()

    class Meta:
        model = ReportEvent
        fields = ["kind", "department", "created_at"]


class ReportOutputSerializer(serializers.ModelSerializer):
    """Public fields only: no contact details, no tracking code, the resident's words only if public."""

    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    district = serializers.StringRelatedField()
    community = serializers.StringRelatedField()
    department = serializers.StringRelatedField()
    project = serializers.SlugRelatedField(source="public_project", slug_field="code", read_only=True)
    text = serializers.CharField(source="public_text", read_only=True)
    address = serializers.CharField(source="public_address", read_only=True)

    class Meta:
        model = Report
        fields = [
            "id", "kind", "category", "category_name", "text", "latitude", "longitude", "address", "district",
            "community", "project", "channel", "status", "department", "submitted_at", "dispatched_at", "due_at",
            "resolved_at", "closed_at", "answer", "rating",
        ]  # fmt: skip


class ReportDetailOutputSerializer(ReportOutputSerializer):
    timeline = serializers.SerializerMethodField()

    class Meta(ReportOutputSerializer.Meta):
        fields = [*ReportOutputSerializer.Meta.fields, "timeline"]

    def get_timeline(self, report: Report) -> list[dict]:
        events = [e for e in report.events.all() if e.is_public]
        return EventOutputSerializer(events, many=True).data


class ReportInputSerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=ServiceCategory.objects.filter(is_active=True))
    kind = serializers.ChoiceField(choices=ReportKind.choices, default=ReportKind.PROBLEM)
    text = serializers.CharField(max_length=4000)
    text_is_public = serializers.BooleanField(default=True)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    project = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    reporter_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    reporter_email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH, required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=5)


class ReportResolveInputSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)
    photo = serializers.FileField(
        required=False, allow_null=True, help_text=_("The result (“after”): JPEG, PNG, WebP or GIF.")
    )


class ReportCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField(help_text=_("The reporter's key: keep it private."))
    url = serializers.CharField()
