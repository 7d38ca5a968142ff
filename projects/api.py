"""The projects API: public reads; staff writes on their own department's projects."""

import json

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from civicworks.live import etag_for
from civicworks.maps import BBox, parse_bbox

from . import panels, selectors, services
from .models import Milestone, Project, Stage
from .serializers import (
    DepartmentOutputSerializer,
    ExpenditureInputSerializer,
    ExpenditureOutputSerializer,
    MilestoneCompleteInputSerializer,
    MilestoneInputSerializer,
    MilestoneOutputSerializer,
    ProgressInputSerializer,
    ProjectDetailOutputSerializer,
    ProjectOutputSerializer,
    UpdateOutputSerializer,
    project_output,
)

# Below this zoom level the map returns grid clusters counted in SQL instead of points.
CLUSTER_BELOW_ZOOM = 12
MAX_POINTS = 5000
CODE_SLOT = "__code__"  # project codes are letters, digits and hyphens: no URL quoting needed


class ProjectFilter(filters.FilterSet):
    district = filters.CharFilter(field_name="district__code", help_text="District code, e.g. `linjiang`.")
    category = filters.CharFilter(field_name="category__code", help_text="Category code, e.g. `elevator`.")
    stage = filters.ChoiceFilter(choices=Stage.choices)
    year = filters.NumberFilter(min_value=2000, max_value=2100)
    department = filters.NumberFilter(
        method="filter_department", min_value=1, max_value=2**31 - 1, help_text="Department id: lead or co-organiser."
    )

    class Meta:
        model = Project
        fields = ["district", "category", "stage", "year", "department"]

    def filter_department(self, queryset, name, value):
        return queryset.filter(pk__in=Project.objects.for_department(int(value)).order_by().values("pk"))


class ProjectListApi(ListAPIView):
    """Public projects with their progress and money figures (spent, remaining, execution rate)."""

    permission_classes = [AllowAny]
    serializer_class = ProjectOutputSerializer
    filter_backends = [filters.DjangoFilterBackend, SearchFilter, OrderingFilter]
    filterset_class = ProjectFilter
    search_fields = ["code", "title", "description"]
    ordering_fields = ["code", "year", "percent_complete", "budget", "expected_completion", "spent"]
    ordering = ["-year", "code"]

    def get_queryset(self):
        return selectors.project_list()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([project_output(project) for project in page])


class ProjectDetailApi(RetrieveAPIView):
    """One public project: responsibility chain (contacts only where public), milestones, updates, money."""

    permission_classes = [AllowAny]
    serializer_class = ProjectDetailOutputSerializer

    def get_object(self):
        try:
            return selectors.project_detail(code=self.kwargs["code"])
        except Project.DoesNotExist:
            raise Http404 from None

    @extend_schema(responses={200: ProjectDetailOutputSerializer})
    def retrieve(self, request, *args, **kwargs):
        """The project and, under their keys, the panels of its page (score, rectification, reports, needs …)."""
        project = self.get_object()
        return Response({**self.get_serializer(project).data, **panels.api_data(panels.fill(project))})


def _bbox(raw: str | None) -> BBox | None:
    try:
        return parse_bbox(raw) if raw else None
    except ValidationError as exc:
        raise ApiValidationError({"bbox": exc.messages}) from None


def _zoom(raw: str | None) -> int | None:
    if raw in (None, ""):
        return None
    try:
        zoom = int(raw)
    except ValueError:
        raise ApiValidationError({"zoom": [_("zoom must be a whole number from 0 to 22.")]}) from None
    if not 0 <= zoom <= 22:
        raise ApiValidationError({"zoom": [_("zoom must be a whole number from 0 to 22.")]})
    return zoom


def _point_feature(row: dict, stage_labels: dict, url_template: str) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
        "properties": {
            "code": row["code"],
            "title": row["title"],
            "stage": row["stage"],
            "stage_label": stage_labels[row["stage"]],
            "percent_complete": row["percent_complete"],
            "expected_completion": row["expected_completion"].isoformat() if row["expected_completion"] else None,
            "category": row["category_name"],
            "district": row["district_name"],
            "url": url_template.replace(CODE_SLOT, row["code"]),
        },
    }


def _geojson_response(features_json: str, bbox) -> HttpResponse:
    """A FeatureCollection around features already serialised (by PostgreSQL)."""
    tail = f',"bbox":{json.dumps(list(bbox))}' if bbox else ""
    body = f'{{"type":"FeatureCollection","features":{features_json}{tail}}}'
    return HttpResponse(body, content_type="application/geo+json")


def _cluster_feature(row: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(row["longitude"], 6), round(row["latitude"], 6)]},
        "properties": {"cluster": True, "count": row["count"]},
    }


class ProjectMapApi(APIView):
    """GeoJSON (RFC 7946) of public projects for the map.

    `?bbox=west,south,east,north` limits to a box; with `?zoom=` below 12 the projects are
    grouped in grid cells computed in the database (features with `cluster: true, count`).
    Accepts the list's filters (district, category, stage, year, department).
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("bbox", str, description="west,south,east,north in degrees (WGS84)."),
            OpenApiParameter("zoom", int, description="Map zoom 0–22; below 12 the answer is clusters."),
            OpenApiParameter("district", str),
            OpenApiParameter("category", str),
            OpenApiParameter("stage", str, enum=Stage.values),
            OpenApiParameter("year", int),
            OpenApiParameter("department", int),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        bbox, zoom = _bbox(request.query_params.get("bbox")), _zoom(request.query_params.get("zoom"))
        filterset = ProjectFilter(request.query_params, queryset=Project.objects.public())
        if not filterset.is_valid():
            raise ApiValidationError(filterset.errors)
        # The map refreshes itself every 10 s: while no project changed, a 304 costs one index probe.
        etag = etag_for((Project.objects.aggregate(latest=Max("updated_at"))["latest"], request.get_full_path()))
        not_modified = get_conditional_response(request, etag=etag)
        response = not_modified or self._answer(filterset.qs, bbox, zoom)
        response["ETag"] = etag
        patch_cache_control(response, no_cache=True, public=True)
        patch_vary_headers(response, ["Accept-Language"])
        return response

    def _answer(self, projects, bbox, zoom):
        if zoom is not None and zoom < CLUSTER_BELOW_ZOOM:
            cell = 360 / 2**zoom / 4  # a quarter of a map tile: clusters stay apart on screen
            rows = selectors.map_clusters(projects=projects, bbox=bbox, cell_degrees=cell)
            features = [_cluster_feature(r) for r in sorted(rows, key=lambda r: (r["cell_x"], r["cell_y"]))]
        else:
            labels = {value: str(label) for value, label in Stage.choices}
            # One reverse() for all rows: per row it was two thirds of the answer's time.
            url_template = reverse("projects:detail", args=[CODE_SLOT])
            rows = selectors.map_points(projects=projects, bbox=bbox)[:MAX_POINTS]
            if connection.vendor == "postgresql":
                features = selectors.map_features_json(
                    rows, stage_labels=labels, url_template=url_template, code_slot=CODE_SLOT
                )
                return _geojson_response(features, bbox)
            features = [_point_feature(r, labels, url_template) for r in rows]
        body = {"type": "FeatureCollection", "features": features}
        if bbox:
            body["bbox"] = list(bbox)
        return Response(body, content_type="application/geo+json")


class DepartmentListApi(ListAPIView):
    """Departments (lead units and co-organisers) with the number of public projects each leads."""

    permission_classes = [AllowAny]
    serializer_class = DepartmentOutputSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.department_list()


class DistrictListApi(APIView):
    """Districts as a GeoJSON FeatureCollection of their boundaries, with their communities."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        features = [
            {
                "type": "Feature",
                "geometry": d.boundary or None,
                "properties": {
                    "code": d.code,
                    "name": d.name,
                    "project_count": d.project_count,
                    "communities": [c.name for c in d.communities.all()],
                },
            }
            for d in selectors.district_list()
        ]
        return Response({"type": "FeatureCollection", "features": features}, content_type="application/geo+json")


class _ProjectWriteApi(APIView):
    """Staff writes under a project: 403 unless the user's department leads or co-organises it."""

    permission_classes = [IsAuthenticated]

    def project(self) -> Project:
        return services.project_for_user(self.request.user, self.kwargs["code"], write=True)


class ProgressCreateApi(_ProjectWriteApi):
    """Post a progress update: the project moves to its stage and percent."""

    @extend_schema(request=ProgressInputSerializer, responses={201: UpdateOutputSerializer})
    def post(self, request, code: str):
        project = self.project()
        data = ProgressInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        update = services.progress_record(
            project=project,
            by=request.user,
            stage=v["stage"],
            percent=v["percent_complete"],
            text=v["text"],
        )
        return Response(UpdateOutputSerializer(update).data, status=status.HTTP_201_CREATED)


class MilestoneCreateApi(_ProjectWriteApi):
    """Add a milestone with its planned date."""

    @extend_schema(request=MilestoneInputSerializer, responses={201: MilestoneOutputSerializer})
    def post(self, request, code: str):
        project = self.project()
        data = MilestoneInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        milestone = services.milestone_record(project=project, by=request.user, **data.validated_data)
        return Response(MilestoneOutputSerializer(milestone).data, status=status.HTTP_201_CREATED)


class MilestoneCompleteApi(_ProjectWriteApi):
    """Mark a milestone reached (today unless `actual_date` is given)."""

    @extend_schema(request=MilestoneCompleteInputSerializer, responses={200: MilestoneOutputSerializer})
    def post(self, request, code: str, pk: int):
        project = self.project()
        milestone = get_object_or_404(Milestone, project=project, pk=pk)
        data = MilestoneCompleteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        milestone = services.milestone_complete(milestone=milestone, by=request.user, **data.validated_data)
        return Response(MilestoneOutputSerializer(milestone).data)


class ExpenditureCreateApi(_ProjectWriteApi):
    """Record an expenditure (date, amount in yuan, payee, purpose, voucher number)."""

    @extend_schema(request=ExpenditureInputSerializer, responses={201: ExpenditureOutputSerializer})
    def post(self, request, code: str):
        project = self.project()
        data = ExpenditureInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.expenditure_record(project=project, by=request.user, **data.validated_data)
        return Response(ExpenditureOutputSerializer(row).data, status=status.HTTP_201_CREATED)
