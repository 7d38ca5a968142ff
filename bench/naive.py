"""Baselines: the endpoints as a first DRF attempt would write them, and a minimal intake view.

ModelViewSet + ModelSerializer, no select_related / prefetch_related, money figures computed
per object. Kept only here, to show what the product's selectors and plain-row paths save.
"""

import json
from collections import defaultdict

from django.db.models import Sum
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from feedback.models import Channel, Report, ServiceCategory, new_tracking_code
from projects.models import BudgetAllocation, Expenditure, Milestone, ProgressUpdate, Project, ResponsiblePerson


class NaiveMapSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name")
    district = serializers.CharField(source="district.name")

    class Meta:
        model = Project
        fields = ["code", "title", "stage", "percent_complete", "expected_completion", "latitude", "longitude",
                  "category", "district"]  # fmt: skip


class NaiveMapViewSet(viewsets.ModelViewSet):
    """Points as model instances through a ModelSerializer; zoomed out, clusters counted in Python."""

    permission_classes = [AllowAny]
    serializer_class = NaiveMapSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        projects = Project.objects.filter(is_public=True)
        if bbox := self.request.query_params.get("bbox"):
            west, south, east, north = (float(x) for x in bbox.split(","))
            projects = projects.filter(
                longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north
            )
        return projects

    def list(self, request, *args, **kwargs):
        zoom = int(request.query_params.get("zoom") or 18)
        if zoom >= 12:
            return Response(self.get_serializer(self.get_queryset()[:5000], many=True).data)
        cell = 360 / 2**zoom / 4
        cells = defaultdict(list)
        for p in self.get_queryset():
            cells[(p.longitude // cell, p.latitude // cell)].append(p)
        return Response(
            [
                {"count": len(ps), "latitude": sum(p.latitude for p in ps) / len(ps),
                 "longitude": sum(p.longitude for p in ps) / len(ps)}
                for ps in cells.values()
            ]
        )  # fmt: skip


class ExpenditureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Expenditure
        fields = ["id", "date", "amount", "payee", "purpose", "voucher_number"]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "planned_date", "actual_date", "order"]


class UpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressUpdate
        fields = ["id", "created_at", "stage", "percent_complete", "text"]


class AllocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetAllocation
        fields = ["date", "amount", "source"]


class PersonSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name", default="")

    class Meta:
        model = ResponsiblePerson
        fields = ["role", "name", "title", "department"]


class NaiveProjectSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name")
    district_name = serializers.CharField(source="district.name")
    community_name = serializers.CharField(source="community.name", default=None)
    lead_unit_name = serializers.CharField(source="lead_unit.name")
    spent = serializers.SerializerMethodField()
    allocated = serializers.SerializerMethodField()
    overdue_milestones = serializers.SerializerMethodField()

    class Meta:
        model = Project
        exclude = ["geometry", "co_organisers"]

    def get_spent(self, project):
        return project.expenditures.aggregate(total=Sum("amount"))["total"] or 0

    def get_allocated(self, project):
        return project.allocations.aggregate(total=Sum("amount"))["total"] or 0

    def get_overdue_milestones(self, project):
        today = timezone.localdate()
        return project.milestones.filter(actual_date__isnull=True, planned_date__lt=today).count()


class NaiveProjectDetailSerializer(NaiveProjectSerializer):
    milestones = MilestoneSerializer(many=True)
    updates = UpdateSerializer(many=True)
    allocations = AllocationSerializer(many=True)
    expenditures = ExpenditureSerializer(many=True)
    people = PersonSerializer(many=True)


class NaiveProjectViewSet(viewsets.ModelViewSet):
    permission_classes = [AllowAny]
    queryset = Project.objects.filter(is_public=True).order_by("-year", "code")
    pagination_class = PageNumberPagination  # the naive way: OFFSET to any depth
    filter_backends = [filters.DjangoFilterBackend]
    filterset_fields = {"district__code": ["exact"], "stage": ["exact"]}
    lookup_field = "code"

    def get_serializer_class(self):
        return NaiveProjectDetailSerializer if self.action == "retrieve" else NaiveProjectSerializer


@csrf_exempt
@require_POST
def minimal_report(request):
    """The least a Django view can do to store the same report row: parse, one lookup, one INSERT."""
    data = json.loads(request.body)
    report = Report.objects.create(
        tracking_code=new_tracking_code(),
        kind=data.get("kind", "problem"),
        category=ServiceCategory.objects.get(code=data["category"]),
        text=data["text"],
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        channel=Channel.API,
    )
    return JsonResponse({"id": report.pk, "tracking_code": report.tracking_code}, status=201)
