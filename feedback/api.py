"""Residents' reports over the API: public reads, submission (anonymous or signed in), and the
handling department's answer."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from civicworks.idempotency import idempotent
from civicworks.parsers import JSONParser
from projects.models import Project

from . import selectors, services
from .abuse import submission_allowed
from .models import Channel
from .serializers import (
    ReportCreatedSerializer,
    ReportDetailOutputSerializer,
    ReportInputSerializer,
    ReportOutputSerializer,
    ReportResolveInputSerializer,
)


class ReportListCreateApi(ListAPIView):
    """Public reports, newest first (`?category=road&status=dispatched`); POST submits a new one."""

    permission_classes = [AllowAny]
    serializer_class = ReportOutputSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends: list = []

    def get_queryset(self):
        rows = selectors.public_reports().order_by("-submitted_at")
        if category := self.request.query_params.get("category"):
            rows = rows.filter(category__code=category)
        if wanted := self.request.query_params.get("status"):
            rows = rows.filter(status=wanted)
        return rows

    @extend_schema(request=ReportInputSerializer, responses={201: ReportCreatedSerializer})
    @idempotent
    def post(self, request):
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not submission_allowed(request):
            raise Throttled()
        data = dict(serializer.validated_data)
        code = data.pop("project")
        project = Project.objects.public().filter(code=code).first() if code else None
        if code and project is None:
            raise ApiValidationError({"project": ["Unknown project."]})
        report = services.report_submit(**data, project=project, reporter=request.user, channel=Channel.API)
        body = {
            "id": report.pk,
            "tracking_code": report.tracking_code,
            "url": reverse("feedback:track", args=[report.tracking_code]),
        }
        return Response(ReportCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


class ReportDetailApi(RetrieveAPIView):
    """One public report with its public timeline."""

    permission_classes = [AllowAny]
    serializer_class = ReportDetailOutputSerializer

    def get_queryset(self):
        return selectors.public_reports().prefetch_related("events__department")


class ReportResolveApi(APIView):
    """The handling department (or the city) answers a report: multipart `answer` and `photo`.

    A category that requires an "after" photo refuses an answer without one (400, code
    `after_photo_required`); another department's report is 403, a hidden one 404.
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=ReportResolveInputSerializer, responses={200: ReportOutputSerializer})
    def post(self, request, pk: int):
        report = services.report_for_handler(request.user, pk)
        data = ReportResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_resolve(
            report=report, by=request.user, answer=data.validated_data["answer"], photo=data.validated_data.get("photo")
        )
        return Response(ReportOutputSerializer(report).data)
