"""API shapes: serializers validate and present; services write."""

from rest_framework import serializers

from .models import Need


class NeedOutputSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name")
    district = serializers.CharField(source="district.name")
    community = serializers.CharField(source="community.name", default="")
    # A plain string, not an enum: the schema's enum names stay unique across apps (drf-spectacular W001).
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    support_count = serializers.IntegerField()
    projects = serializers.SerializerMethodField()

    class Meta:
        model = Need
        fields = ["id", "title", "text", "category", "district", "community", "latitude", "longitude",
                  "status", "status_display", "answer", "support_count", "projects", "created_at"]  # fmt: skip

    def get_projects(self, need: Need) -> list[dict]:
        return [{"code": p.code, "title": p.title, "year": p.year, "stage": p.stage} for p in need.projects.all()]


class SupportResultSerializer(serializers.Serializer):
    counted = serializers.BooleanField()
    support_count = serializers.IntegerField()


class VoteInputSerializer(serializers.Serializer):
    option = serializers.IntegerField(min_value=1)


class VoteResultSerializer(serializers.Serializer):
    counted = serializers.BooleanField()


class PointsSerializer(serializers.Serializer):
    balance = serializers.IntegerField()
    history = serializers.ListField(child=serializers.DictField())
