"""Open-data API: the OC4IDS project package and the officials' exports."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from civicworks.inputs import FIRST_YEAR, LAST_YEAR
from civicworks.permissions import is_staff_role

from .datasets import DATASETS, InvalidFilters
from .departments import COLUMN_KEYS, Quarter, department_by_code, department_projects, department_trend, league
from .exports import FORMATS, export_response
from .selectors import oc4ids_package

OC4IDS_EXAMPLE = {
    "uri": "https://civicworks.example.cn/api/v1/oc4ids/",
    "publishedDate": "2026-11-20T09:30:00+08:00",
    "publisher": {"name": "锦川市"},
    "license": "https://creativecommons.org/licenses/by/4.0/",
    "version": "0.9",
    "projects": [
        {
            "id": "oc4ids-civicworks-MX-2026-001",
            "title": "望江社区老旧小区加装电梯",
            "status": "implementation",
            "sector": ["socialHousing"],
            "publicAuthority": {"id": "department-1", "name": "市住房和城乡建设局"},
            "locations": [
                {
                    "id": "point",
                    "geometry": {"type": "Point", "coordinates": [103.99, 30.69]},
                    "description": "临江区 望江社区",
                }
            ],
            "budget": {"amount": {"amount": 1200000.0, "currency": "CNY"}},
            "parties": [{"id": "department-1", "name": "市住房和城乡建设局", "roles": ["publicAuthority", "payer"]}],
            "transactions": [
                {
                    "id": "expenditure-7",
                    "date": "2026-06-01T00:00:00+08:00",
                    "value": {"amount": 300000.0, "currency": "CNY"},
                    "payer": {"id": "department-1", "name": "市住房和城乡建设局"},
                    "payee": {"id": "payee-3f1c0a9b2d4e", "name": "锦川建工集团有限公司"},
                }
            ],
        }
    ],
}


class IsStaffRole(permissions.BasePermission):
    message = _("Only officials, evaluators and city administrators may download these exports.")

    def has_permission(self, request, view) -> bool:
        return is_staff_role(request.user)


class Oc4idsPackageApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="oc4ids_package",
        summary="OC4IDS project package",
        description=(
            "Every public project as an OC4IDS 0.9.5 project (Open Contracting for Infrastructure "
            "Data Standard) inside one project package: identification, status and sector from the "
            "standard's codelists, GeoJSON locations, budget in CNY, parties with roles (the lead unit "
            "is the publicAuthority), period, milestones, completion, transactions (expenditures) and "
            "documents (progress reports and photos). Validates against project-package-schema.json."
        ),
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="An OC4IDS project package.")},
        examples=[OpenApiExample("A package with one project", value=OC4IDS_EXAMPLE, response_only=True)],
        tags=["open data"],
    )
    def get(self, request):
        package = oc4ids_package(
            uri=request.build_absolute_uri(reverse("opendata-oc4ids")), absolute=request.build_absolute_uri
        )
        return Response(package)


EXPORT_PARAMETERS = [
    OpenApiParameter("dataset", str, OpenApiParameter.PATH, enum=list(DATASETS), description="Which dataset."),
    OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(FORMATS), description="csv or xlsx."),
    OpenApiParameter("q", str, description="Search in project code and title."),
    OpenApiParameter("year", int, description="Year of the annual list, e.g. 2026."),
    OpenApiParameter("stage", str, description="Project stage, e.g. construction."),
    OpenApiParameter("district", str, description="District code, e.g. linjiang."),
    OpenApiParameter("category", str, description="Project category code, e.g. elevator."),
    OpenApiParameter("department", int, description="Department id: projects it leads or co-organises."),
    OpenApiParameter("status", str, many=True, description="Reports only: report status; repeat for several."),
    OpenApiParameter("kind", str, description="Reports only: problem, question, suggestion or praise."),
    OpenApiParameter("submitted_after", OpenApiTypes.DATE, description="Reports only: submitted on or after."),
    OpenApiParameter("submitted_before", OpenApiTypes.DATE, description="Reports only: submitted on or before."),
    OpenApiParameter("quarter", int, description="Scorecards only: quarter 1–4 (with year)."),
    OpenApiParameter("grade", str, many=True, description="Scorecards only: excellent, good, pass, fail, unrated."),
]


class ExportApi(APIView):
    permission_classes = [IsStaffRole]

    @extend_schema(
        operation_id="export_dataset",
        summary="Export a dataset as CSV or XLSX (officials)",
        description=(
            "Projects, milestones, expenditures, anonymised reports (no reporter name, phone or "
            "e-mail) or scorecards as a streamed CSV (UTF-8 with BOM) or an XLSX "
            "workbook, with the project list's filters. Column headers follow the request language "
            "(Accept-Language: zh-hans gives Chinese headers). Cells that a spreadsheet would run "
            "as a formula (starting with = + - @) are prefixed with an apostrophe. Staff only: "
            "officials get public projects plus their own department's (reports: their department's; "
            "scorecards: published cycles); "
            "the city and evaluators all. Project filters apply to projects, milestones and expenditures."
        ),
        parameters=EXPORT_PARAMETERS,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The CSV file."),
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The XLSX workbook."
            ),
            400: OpenApiResponse(description="A filter value is not valid."),
            403: OpenApiResponse(description="Not signed in as staff."),
            404: OpenApiResponse(description="No such dataset or format."),
        },
        examples=[
            OpenApiExample(
                "CSV of projects (first lines)",
                value="编号,标题,类别,...\r\nMX-2026-001,望江社区老旧小区加装电梯,老旧小区加装电梯,...",
                response_only=True,
                media_type="text/csv",
            )
        ],
        tags=["open data"],
    )
    def get(self, request, dataset: str, fmt: str):
        chosen = DATASETS.get(dataset)
        if chosen is None or fmt not in FORMATS:
            raise Http404
        try:
            rows = chosen.filtered_rows(request.user, request.GET)
        except InvalidFilters as exc:
            raise ValidationError(exc.errors) from exc
        return export_response(chosen, rows, fmt)


# --- Departments in public (部门) ---------------------------------------------------------------

DEPARTMENT_COLUMNS_HELP = (
    "Per department and quarter (the reports' quarter of submission, the city's time zone): reports received; "
    "on_time_rate (answered by the deadline, % of the answered); closure_rate (answered, confirmed or closed, % of "
    "received); fast_rate (answered within 48 hours, % of the answered); median_hours (submitted → answered); "
    "fixed_rate (% of 'is it fixed?' answers saying fixed); satisfied_rate (% of counted ratings of 4–5 stars) and "
    "satisfaction (their mean, 1–5); reopen_rate (% reopened by the resident); projects_led (public); average_score "
    "(published scores of its projects that quarter); overdue_milestones (at the quarter's end, or today); "
    "open_orders (rectification orders of that quarter's published review still open); accountability (records "
    "of that quarter's published review); complaints now and a year earlier, their change in % and the satisfied "
    "share a year earlier. Rates are percentages with one decimal; null where nothing was there to count."
)


def _api_row(row: dict) -> dict:
    return {key: row[key] for key in ["quarter", *COLUMN_KEYS]}


def _department(department, request) -> dict:
    return {
        "code": department.code,
        "name": department.name,
        "url": request.build_absolute_uri(department.get_absolute_url()),
    }


class DepartmentLeagueApi(APIView):
    permission_classes = [permissions.AllowAny]

    class InputSerializer(serializers.Serializer):
        year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
        quarter = serializers.IntegerField(min_value=1, max_value=4)

    @extend_schema(
        operation_id="department_league",
        summary="The departments' league table of a quarter",
        description=DEPARTMENT_COLUMNS_HELP + " Without year and quarter: the last complete quarter.",
        parameters=[
            OpenApiParameter("year", int, description="e.g. 2026 (with quarter)."),
            OpenApiParameter("quarter", int, description="1–4 (with year)."),
        ],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="quarter, rows (one per department), city."),
            400: OpenApiResponse(description="year or quarter is not valid."),
        },
        tags=["open data"],
    )
    def get(self, request):
        quarter = Quarter.default()
        if "year" in request.query_params or "quarter" in request.query_params:
            given = self.InputSerializer(data=request.query_params)
            given.is_valid(raise_exception=True)
            quarter = Quarter(given.validated_data["year"], given.validated_data["quarter"])
        table = league(quarter=quarter)
        return Response(
            {
                "quarter": quarter.label,
                "year_before": table["year_before"].label,
                "rows": [{"department": _department(r["department"], request), **_api_row(r)} for r in table["rows"]],
                "city": _api_row(table["city"]),
            }
        )


class DepartmentApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="department_detail",
        summary="A department's figures over the last eight quarters and its projects",
        description=DEPARTMENT_COLUMNS_HELP + " The last quarter is the running one (running: true).",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT), 404: OpenApiResponse(description="No such department.")},
        tags=["open data"],
    )
    def get(self, request, code: str):
        department = department_by_code(code)
        if department is None:
            raise Http404
        projects = department_projects(department)
        return Response(
            {
                **_department(department, request),
                "trend": [{"running": r["running"], **_api_row(r)} for r in department_trend(department=department)],
                "projects": [
                    {
                        "code": p["project"].code,
                        "title": p["project"].title,
                        "url": request.build_absolute_uri(p["project"].get_absolute_url()),
                        "scores": [{"quarter": label, "score": total} for label, total in p["scores"]],
                    }
                    for p in projects
                ],
            }
        )
