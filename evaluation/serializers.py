from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicworks.rounding import round_half_up


class ScoreFloatField(serializers.FloatField):
    """A city-wide average as a number to the hundredth, half up like the scorecards.

    The raw AVG differed by database in its last digits (72.2233333333333 from SQLite,
    72.22333333333333 from PostgreSQL).
    """

    def to_representation(self, value):
        return float(round_half_up(value, 2))


class CycleOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    organisation = serializers.CharField()
    satisfaction_weight = serializers.DecimalField(max_digits=6, decimal_places=2, source="scheme.satisfaction_weight")
    acceptance_weight = serializers.DecimalField(max_digits=6, decimal_places=2, source="scheme.acceptance_weight")
    indicators_weight = serializers.DecimalField(max_digits=6, decimal_places=2, source="scheme.indicators_weight")
    pass_mark = serializers.DecimalField(max_digits=6, decimal_places=2, source="scheme.pass_mark")
    url = serializers.CharField(source="get_absolute_url")


class ScorecardOutputSerializer(serializers.Serializer):
    project_code = serializers.CharField(source="project.code")
    project_title = serializers.CharField(source="project.title")
    category = serializers.CharField(source="project.category.code")
    district = serializers.CharField(source="project.district.code")
    lead_unit = serializers.CharField(source="project.lead_unit.name")
    satisfaction_score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    acceptance_score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    indicators_score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    response_count = serializers.IntegerField()  # the answers that count
    anonymous_count = serializers.IntegerField()  # anonymous answers held apart, not counted
    excluded_count = serializers.IntegerField()  # excluded by the evaluator, with a recorded reason
    satisfied_share = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    happiness_index = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    grade = serializers.CharField()
    rank_in_category = serializers.IntegerField(allow_null=True)
    rank_in_district = serializers.IntegerField(allow_null=True)
    previous_total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    change = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)


class TrendOutputSerializer(serializers.Serializer):
    label = serializers.CharField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    average = ScoreFloatField(allow_null=True)
    satisfied = ScoreFloatField(allow_null=True)
    projects = serializers.IntegerField()
    failed = serializers.IntegerField()


class OrderAnswerInputSerializer(serializers.Serializer):
    response = serializers.CharField(max_length=10000)
    photo = serializers.FileField(
        required=False, allow_null=True, help_text=_("The result (“after”): JPEG, PNG, WebP or GIF.")
    )
    caption = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class OrderVerifyInputSerializer(serializers.Serializer):
    rectified = serializers.BooleanField()
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class OrderOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project_code = serializers.CharField(source="project.code")
    cycle = serializers.CharField()
    status = serializers.CharField()
    deadline = serializers.DateField()
    requires_after_photo = serializers.BooleanField()
    response = serializers.CharField()
    photos = serializers.SerializerMethodField()

    def get_photos(self, order) -> list[dict]:
        return [{"kind": p.kind, "url": p.image.url, "caption": p.alt_text} for p in order.photos.all()]
