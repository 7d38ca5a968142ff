"""Our projects as OC4IDS 0.9.5 projects (Open Contracting for Infrastructure Data Standard).

Pure functions over rows the selector has already loaded (`oc4ids_projects()`): nothing
here queries the database, so a package of N projects costs the same few queries.
Codelist mappings are explicit tables so a reviewer can check each choice against
`../shared/data/oc4ids/codelists/`.
"""

import hashlib
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.urls import NoReverseMatch
from django.utils import timezone

from projects.models import Department, Project, Stage

OC4IDS_VERSION = "0.9"
CURRENCY = "CNY"

# Our stage → projectStatus (a closed codelist). Procurement belongs to "implementation" in
# OC4IDS; acceptance (验收) is close-out, i.e. "completion". A suspended project stays in
# implementation: the codelist has no "suspended", so the fact is stated in `purpose`.
STATUS = {
    Stage.PLANNED: "identification",
    Stage.APPROVED: "preparation",
    Stage.DESIGN: "preparation",
    Stage.TENDERING: "implementation",
    Stage.CONSTRUCTION: "implementation",
    Stage.ACCEPTANCE: "completion",
    Stage.COMPLETED: "completion",
    Stage.SUSPENDED: "implementation",
    Stage.CANCELLED: "cancelled",
}

# Our category codes → projectSector (parent code included with a subsector, as the standard asks).
SECTOR = {
    "elevator": ["socialHousing"],
    "renewal": ["socialHousing"],
    "toilet": ["waterAndWaste"],
    "playground": ["cultureSportsAndRecreation"],
    "pocket-park": ["cultureSportsAndRecreation"],
    "garden": ["cultureSportsAndRecreation"],
    "lighting": ["transport", "transport.road"],
    "road": ["transport", "transport.road"],
    "parking": ["transport", "transport.urban"],
    "elderly": ["health"],
}
DEFAULT_SECTOR = ["governance"]

# Our category codes → projectType: repairs and renovations are rehabilitation, additions expansion.
PROJECT_TYPE = {
    "renewal": "rehabilitation",
    "road": "rehabilitation",
    "toilet": "rehabilitation",
    "elevator": "expansion",
}
DEFAULT_PROJECT_TYPE = "construction"

GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}

UrlBuilder = Callable[[str], str]


def project_id(project: Project) -> str:
    return f"{settings.CIVICWORKS_OC4IDS_PREFIX}{project.code}"


def as_datetime(value: date | datetime | None) -> str | None:
    """OC4IDS dates are RFC 3339 date-times; a calendar date is its local midnight."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = timezone.make_aware(datetime.combine(value, time.min))
    return timezone.localtime(value).isoformat()


def money(amount: Decimal) -> dict:
    return {"amount": float(amount), "currency": CURRENCY}


def department_party_id(department: Department) -> str:
    return f"department-{department.pk}"


def payee_party_id(name: str) -> str:
    """Payees are free text on expenditures; the same name is the same party in every project."""
    return "payee-" + hashlib.sha256(name.strip().encode()).hexdigest()[:12]


def compact(data: dict) -> dict:
    """Drop empty values: OC4IDS forbids empty strings and empty arrays in most places."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def geometry_of(value: dict | None) -> dict | None:
    """A GeoJSON geometry from a stored geometry or Feature, or None if it is not one OC4IDS takes."""
    if not isinstance(value, dict):
        return None
    if value.get("type") == "Feature":
        value = value.get("geometry") or {}
    if value.get("type") in GEOMETRY_TYPES and value.get("coordinates"):
        return {"type": value["type"], "coordinates": value["coordinates"]}
    return None


def locations(project: Project) -> list[dict]:
    place = " ".join(str(part) for part in (project.district, project.community) if part)
    address = compact({"region": project.district.name, "locality": getattr(project.community, "name", "")})
    point = {
        "id": "point",
        "description": place,
        "geometry": {"type": "Point", "coordinates": [project.longitude, project.latitude]},
        "address": address,
    }
    shape = geometry_of(project.geometry)
    if shape is None:
        return [point]
    return [point, {"id": "geometry", "description": place, "geometry": shape, "address": address}]


def parties(project: Project) -> list[dict]:
    lead = project.lead_unit
    found = {
        department_party_id(lead): {
            "id": department_party_id(lead),
            "name": lead.name,
            "roles": ["publicAuthority", "payer"],
        }
    }
    for department in project.co_organisers.all():
        found.setdefault(
            department_party_id(department),
            {"id": department_party_id(department), "name": department.name, "roles": ["administrativeEntity"]},
        )
    for expenditure in project.expenditures.all():
        party_id = payee_party_id(expenditure.payee)
        found.setdefault(party_id, {"id": party_id, "name": expenditure.payee.strip(), "roles": ["supplier", "payee"]})
    for allocation in project.allocations.all():
        party_id = payee_party_id(allocation.source)  # the same name space: a funder is an organisation by name
        found.setdefault(party_id, {"id": party_id, "name": allocation.source.strip(), "roles": []})
        if "funder" not in found[party_id]["roles"]:
            found[party_id]["roles"].append("funder")
    return list(found.values())


def budget(project: Project) -> dict:
    breakdown = [
        compact(
            {
                "id": f"allocation-{allocation.pk}",
                "description": allocation.source,
                "amount": money(allocation.amount),
                "approvalDate": as_datetime(allocation.date),
                "sourceParty": {"id": payee_party_id(allocation.source), "name": allocation.source.strip()},
            }
        )
        for allocation in project.allocations.all()
    ]
    result = compact({"description": project.funding_sources, "amount": money(project.budget)})
    if breakdown:
        result["budgetBreakdowns"] = [{"id": "allocations", "budgetBreakdown": breakdown}]
    return result


def period(project: Project) -> dict | None:
    return (
        compact({"startDate": as_datetime(project.planned_start), "endDate": as_datetime(project.planned_end)}) or None
    )


def completion(project: Project) -> dict | None:
    if project.stage != Stage.COMPLETED:
        return None
    spent = sum((expenditure.amount for expenditure in project.expenditures.all()), Decimal("0"))
    return compact({"endDate": as_datetime(project.actual_completion), "finalValue": money(spent)})


def milestone_status(milestone, today: date) -> str:
    if milestone.actual_date:
        return "met"
    return "notMet" if milestone.planned_date < today else "scheduled"


def milestones(project: Project) -> list[dict]:
    today = timezone.localdate()
    result = []
    for milestone in project.milestones.all():
        result.append(
            compact(
                {
                    "id": f"milestone-{milestone.pk}",
                    "title": milestone.title,
                    "type": "delivery",
                    "dueDate": as_datetime(milestone.planned_date),
                    "dateMet": as_datetime(milestone.actual_date),
                    "status": milestone_status(milestone, today),
                }
            )
        )
    return result


def transactions(project: Project) -> list[dict]:
    payer = {"id": department_party_id(project.lead_unit), "name": project.lead_unit.name}
    return [
        compact(
            {
                "id": f"expenditure-{expenditure.pk}",
                "date": as_datetime(expenditure.date),
                "value": money(expenditure.amount),
                "payer": payer,
                "payee": {"id": payee_party_id(expenditure.payee), "name": expenditure.payee.strip()},
            }
        )
        for expenditure in project.expenditures.all()
    ]


def project_page(project: Project, absolute: UrlBuilder) -> str | None:
    try:
        return absolute(project.get_absolute_url())
    except NoReverseMatch:  # the public project page is not routed (yet): link nothing
        return None


def documents(project: Project, absolute: UrlBuilder) -> list[dict]:
    result = []
    page = project_page(project, absolute)
    for update in project.updates.all():
        result.append(
            compact(
                {
                    "id": f"update-{update.pk}",
                    "documentType": "physicalProgressReport",
                    "title": f"{update.percent_complete}% · {update.get_stage_display()}",
                    "description": update.text,
                    "url": page,
                    "datePublished": as_datetime(update.created_at),
                }
            )
        )
        if update.photo:
            result.append(
                compact(
                    {
                        "id": f"photo-{update.pk}",
                        "documentType": "illustration",
                        "title": update.text[:80],
                        "url": absolute(update.photo.url),
                        "datePublished": as_datetime(update.created_at),
                    }
                )
            )
    for expenditure in project.expenditures.all():
        if expenditure.attachment:
            # The voucher is listed, its file is not published: it is for the staff who see the
            # project in the console (projects/files.py), so no link that would answer 404.
            result.append(
                compact(
                    {
                        "id": f"voucher-{expenditure.pk}",
                        "documentType": "paymentCertificate",
                        "title": expenditure.purpose,
                        "datePublished": as_datetime(expenditure.date),
                    }
                )
            )
    return result


def project_to_oc4ids(project: Project, absolute: UrlBuilder) -> dict:
    lead = project.lead_unit
    purpose = project.get_stage_display() if project.stage == Stage.SUSPENDED else ""
    return compact(
        {
            "id": project_id(project),
            "identifiers": [{"id": project.code, "scheme": "CivicWorks"}],
            "updated": as_datetime(project.updated_at),
            "language": "zh",
            "title": project.title,
            "description": project.description,
            "purpose": purpose,
            "status": STATUS.get(project.stage, "identification"),
            "type": PROJECT_TYPE.get(project.category.code, DEFAULT_PROJECT_TYPE),
            "sector": SECTOR.get(project.category.code, DEFAULT_SECTOR),
            "additionalClassifications": [
                {"scheme": "CivicWorks category", "id": project.category.code, "description": project.category.name}
            ],
            "publicAuthority": {"id": department_party_id(lead), "name": lead.name},
            "locations": locations(project),
            "budget": budget(project),
            "period": period(project),
            "parties": parties(project),
            "milestones": milestones(project),
            "completion": completion(project),
            "transactions": transactions(project),
            "documents": documents(project, absolute),
        }
    )


def project_package(
    projects: Iterable[Project], *, uri: str, absolute: UrlBuilder, publisher: str, published: datetime | None
) -> dict:
    """An OC4IDS project package (`project-package-schema.json`)."""
    return {
        "uri": uri,
        "publishedDate": as_datetime(published or timezone.now()),
        "publisher": {"name": publisher},
        "license": settings.CIVICWORKS_OPEN_DATA_LICENSE,
        "version": OC4IDS_VERSION,
        "projects": [project_to_oc4ids(project, absolute) for project in projects],
    }
