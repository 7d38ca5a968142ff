"""One builder per model the tests create: keyword-only, sensible defaults, unique codes.

The personas and the small city are fixtures in tests/conftest.py; these builders are for the
rows a test needs more of, or needs in a particular state. Rows whose rules a service owns are
made through that service (a submitted report is `report_submit`'s); rows a test needs in a
historic state (a report filed weeks ago, a project already under way) are created directly.
"""

import io
import itertools
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from civicworks.accounts.models import Role, User
from evaluation.models import (
    AccountabilityRecord,
    CycleState,
    Grade,
    OrderStatus,
    RectificationOrder,
    RectificationPhoto,
    ReviewCycle,
    Scorecard,
    Survey,
    WeightingScheme,
)
from feedback import services as feedback_services
from feedback.models import EventKind, Report, ReportEvent, ReportStatus, ServiceCategory
from participation.models import CoCreation, DesignOption, Need, NeedProject, NeedSupport
from projects.models import (
    BudgetAllocation,
    ChainRole,
    Community,
    Department,
    Expenditure,
    Milestone,
    ProgressUpdate,
    Project,
    ProjectCategory,
    ResponsiblePerson,
)

PASSWORD = "pw-for-tests-only"
# 望江社区 (临江区, the lead department's district): where a test's rows stand unless it says otherwise.
WANGJIANG = (30.690, 103.990)
# Canary contact details of a project's lead: they must appear on the public side only when marked public.
HIDDEN_PHONE = "13900001111"
HIDDEN_EMAIL = "hidden-lead@example.cn"

_numbers = itertools.count(1)


def unique(prefix: str) -> str:
    """`prefix` and a number no other row of this test run has."""
    return f"{prefix}{next(_numbers):05d}"


# --- People ------------------------------------------------------------------------------------


def user(
    *,
    role: str = Role.RESIDENT,
    username: str = "",
    department: Department | None = None,
    verified: bool = True,
    **extra,
) -> User:
    """An account of any role (department roles need `department`); its password is PASSWORD.

    Its e-mail address is confirmed (allauth's primary address) unless `verified=False`.
    """
    username = username or unique(role.replace("_", "-") + "-")
    account = User(username=username, role=role, department=department, email=f"{username}@example.cn", **extra)
    account.set_password(PASSWORD)
    account.save()
    EmailAddress.objects.create(user=account, email=account.email, primary=True, verified=verified)
    return account


# --- Projects ----------------------------------------------------------------------------------


def _project_fields(*, code: str, lead_unit: Department, community: str, category: str, extra: dict) -> dict:
    place = Community.objects.select_related("district").get(name=community)
    return {
        "code": code,
        "title": f"测试项目 {code}",
        "category": ProjectCategory.objects.get(code=category),
        "district": place.district,
        "community": place,
        "latitude": WANGJIANG[0],
        "longitude": WANGJIANG[1],
        "year": 2026,
        "stage": "construction",
        "budget": Decimal("100000.00"),
        "lead_unit": lead_unit,
        **extra,
    }


def project(
    *, lead_unit: Department, code: str = "", community: str = "望江社区", category: str = "elevator", **extra
) -> Project:
    """A bare project under way in 2026 (no chain, no money): add what the test is about."""
    fields = _project_fields(code=code or unique("T-"), lead_unit=lead_unit, community=community,
                             category=category, extra=extra)  # fmt: skip
    return Project.objects.create(**fields)


def projects(
    count: int,
    *,
    lead_unit: Department,
    code_prefix: str = "B-",
    start: int | None = None,
    community: str = "望江社区",
    category: str = "lighting",
    title: str = "路灯改造",
    **extra,
) -> list[Project]:
    """`count` bare projects in one insert, for lists that must not grow in queries.

    Codes are `code_prefix` and a unique number, or start, start + 1, … where a test filters by them.
    """
    fields = _project_fields(code="", lead_unit=lead_unit, community=community, category=category, extra=extra)
    codes = [unique(code_prefix) if start is None else f"{code_prefix}{start + i}" for i in range(count)]
    rows = (Project(**{**fields, "code": code, "title": f"{title} {i}"}) for i, code in enumerate(codes))
    return Project.objects.bulk_create(rows, batch_size=2000)


def complete_project(
    *, lead_unit: Department, code: str = "", lat: float = 30.69, lng: float = 103.99, **extra
) -> Project:
    """A project with a full chain, three milestones, updates, allocations and expenditures, and a co-organiser."""
    made = project(lead_unit=lead_unit, code=code, latitude=lat, longitude=lng, percent_complete=50,
                   planned_start=date(2026, 1, 1), planned_end=date(2026, 12, 31),
                   last_progress_at=timezone.now(), **extra)  # fmt: skip
    ResponsiblePerson.objects.create(
        project=made, role=ChainRole.LEAD, name="负责人", phone=HIDDEN_PHONE, email=HIDDEN_EMAIL
    )
    ResponsiblePerson.objects.create(project=made, role=ChainRole.SUPERVISOR, name="监督员", department=lead_unit)
    for n in range(3):
        milestone(project=made, title=f"节点{n}", planned_date=date(2026, 3 + n, 1), order=n)
        progress_update(project=made, percent_complete=10 * n, text=f"进展{n}")
        allocation(project=made, amount=Decimal("1000"), source="财政")
        expenditure(project=made, amount=Decimal("10.50"), payee="公司", purpose="工程款")
    made.co_organisers.add(Department.objects.exclude(pk=lead_unit.pk).first())
    return made


def milestone(
    *, project: Project, title: str = "开工", planned_date: date = date(2026, 3, 1), order: int = 1, **extra
) -> Milestone:
    return Milestone.objects.create(project=project, title=title, planned_date=planned_date, order=order, **extra)


def progress_update(
    *, project: Project, percent_complete: int = 40, text: str = "施工进行中", **extra
) -> ProgressUpdate:
    fields = {"stage": "construction", **extra}
    return ProgressUpdate.objects.create(project=project, percent_complete=percent_complete, text=text, **fields)


def allocation(
    *, project: Project, amount: Decimal = Decimal("800000.00"), source: str = "市级财政资金", **extra
) -> BudgetAllocation:
    fields = {"date": date(2026, 2, 1), **extra}
    return BudgetAllocation.objects.create(project=project, amount=amount, source=source, **fields)


def expenditure(
    *,
    project: Project,
    amount: Decimal = Decimal("300000.00"),
    payee: str = "锦川建工集团有限公司",
    purpose: str = "首期工程款",
    **extra,
) -> Expenditure:
    fields = {"date": date(2026, 4, 1), **extra}
    return Expenditure.objects.create(project=project, amount=amount, payee=payee, purpose=purpose, **fields)


# --- Photos ------------------------------------------------------------------------------------


def jpeg_upload(*, name: str = "photo.jpg", size=(64, 48), color=(120, 120, 120), gps: bool = False):
    """A small JPEG as a browser uploads it; with `gps`, carrying a position in its EXIF (to be stripped)."""
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (30.0, 41.0, 24.0), 3: "E", 4: (103.0, 59.0, 24.0)}  # GPSInfo
    Image.new("RGB", size, color).save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


# --- Reports -----------------------------------------------------------------------------------


def service_category(*, department: Department, name: str = "井盖", **extra) -> ServiceCategory:
    """A report category of `department` (e.g. one whose answers need an "after" photo)."""
    return ServiceCategory.objects.create(code=unique("category-"), name=name, department=department, **extra)


def report(*, category: ServiceCategory, text: str = "望江路门口路面有一个大坑", at=WANGJIANG, **extra) -> Report:
    """A report filed through `report_submit` (located, routed when its on-commit work runs)."""
    lat, lng = at
    return feedback_services.report_submit(category=category, text=text, latitude=lat, longitude=lng, **extra)


def filed_report(*, category: ServiceCategory, at=WANGJIANG, days_ago: float = 1, **extra) -> Report:
    """A report as if submitted `days_ago` days ago, bypassing intake (for tests about reading)."""
    lat, lng = at
    fields = {"text": "路面坑洼，雨天积水。", "submitted_at": timezone.now() - timedelta(days=days_ago), **extra}
    return Report.objects.create(category=category, latitude=lat, longitude=lng, **fields)


def handled_report(
    *,
    category: ServiceCategory,
    department: Department,
    submitted_at,
    hours: float | None = None,
    due_hours: float = 48,
    status: str = "",
    reopened: bool = False,
    **extra,
) -> Report:
    """A report of the past: submitted at `submitted_at`, due `due_hours` later and, with `hours`,
    answered that many hours after submission (status answered unless given). `reopened` adds the
    resident's reopening to its timeline. Bypasses the services (a historic state, for the figures)."""
    answered = submitted_at + timedelta(hours=hours) if hours is not None else None
    fields = {
        "text": "路面坑洼，雨天积水。",
        "status": status or (ReportStatus.RESOLVED if answered else ReportStatus.DISPATCHED),
        "dispatched_at": submitted_at,
        "due_at": submitted_at + timedelta(hours=due_hours),
        "resolved_at": answered,
        **extra,
    }
    made = Report.objects.create(category=category, latitude=30.69, longitude=103.99, department=department,
                                 submitted_at=submitted_at, **fields)  # fmt: skip
    if reopened:
        ReportEvent.objects.create(report=made, kind=EventKind.REOPENED, department=department,
                                   created_at=submitted_at + timedelta(hours=1))  # fmt: skip
    return made


def dispatched_report(*, category: ServiceCategory, department: Department, **extra) -> Report:
    """A report already with `department`, due in 48 hours (bypassing intake and routing)."""
    now = timezone.now()
    fields = {"text": "小区门口路灯不亮。", "due_at": now + timedelta(hours=48), **extra}
    return Report.objects.create(category=category, latitude=30.69, longitude=103.99, department=department,
                                 status=ReportStatus.DISPATCHED, dispatched_at=now, **fields)  # fmt: skip


# --- Participation and evaluation --------------------------------------------------------------


def need(*, author: User, title: str = "望江小区需要加装电梯", category: str = "elevator", **extra) -> Need:
    place = Community.objects.select_related("district").get(name="望江社区")
    fields = {"text": "六层老楼，老人上下楼困难。", "latitude": WANGJIANG[0], "longitude": WANGJIANG[1], **extra}
    return Need.objects.create(author=author, title=title, category=ProjectCategory.objects.get(code=category),
                               district=place.district, community=place, **fields)  # fmt: skip


def weighting_scheme(*, name: str = "测试方案", **extra) -> WeightingScheme:
    return WeightingScheme.objects.create(name=name, **extra)


def department(*, name: str = "", parent: Department | None = None, **extra) -> Department:
    code = unique("dept-")
    return Department.objects.create(name=name or f"测试部门{code}", code=code, parent=parent, **extra)


def scorecard(*, project: Project, cycle: ReviewCycle, total: Decimal | None = Decimal("72.50"), **extra) -> Scorecard:
    """A project's result in a cycle, as `cycle_compute` would have written it (created directly;
    the scoring SQL is evaluation's own test). No total: unrated, without parts."""
    parts = (
        {"grade": Grade.PASS, "satisfaction_score": Decimal("80.00"), "acceptance_score": Decimal("70.00"),
         "indicators_score": Decimal("65.00"), "satisfied_share": Decimal("75.00"), "response_count": 8}
        if total is not None
        else {"grade": Grade.UNRATED}
    )  # fmt: skip
    return Scorecard.objects.create(project=project, cycle=cycle, total=total, **{**parts, **extra})


def rectification_order(
    *, project: Project, cycle: ReviewCycle, status: str = OrderStatus.ISSUED, **extra
) -> RectificationOrder:
    """An order of a cycle in any status, created directly (`orders_issue` needs a computed cycle and a
    failing score; the services move it only forwards); answered ones have an answer."""
    answered = status != OrderStatus.ISSUED
    fields = {"department": project.lead_unit, "responsible_person": "责任人", "findings": "围挡破损，施工现场未清理。",
              "deadline": date(2026, 11, 13), "response": "已更换围挡并清理现场。" if answered else "",
              "answered_at": timezone.now() if answered else None, **extra}  # fmt: skip
    return RectificationOrder.objects.create(project=project, cycle=cycle, status=status, **fields)


def review_cycle(*, year: int = 2026, quarter: int = 3, scheme: WeightingScheme | None = None, **extra) -> ReviewCycle:
    """A review cycle created directly, in any state (the services move it only forwards from draft)."""
    return ReviewCycle.objects.create(year=year, quarter=quarter, scheme=scheme or weighting_scheme(), **extra)


def rectification_photo(*, order: RectificationOrder, kind: str, caption: str = "现场照片") -> RectificationPhoto:
    """A photo stored like the service stores one (re-encoded by the PhotoField), without its permission rules."""
    return RectificationPhoto.objects.create(order=order, kind=kind, image=jpeg_upload(), caption=caption)


def accountability(
    *, order: RectificationOrder, reason: str = "复查发现整改未落实。", verified_in: ReviewCycle | None = None
) -> AccountabilityRecord:
    """An order's accountability record (问责); with `verified_in`, the order is also left escalated in
    that cycle, as `order_verify` leaves it."""
    if verified_in is not None:
        RectificationOrder.objects.filter(pk=order.pk).update(status=OrderStatus.ESCALATED, verified_in=verified_in)
    return AccountabilityRecord.objects.create(
        order=order, person=order.responsible_person, department=order.department, reason=reason
    )


def survey(*, project: Project, cycle: ReviewCycle) -> Survey:
    return Survey.objects.create(project=project, cycle=cycle)


def published_cycle(*, year: int = 2026, quarter: int = 3, **extra) -> ReviewCycle:
    now = timezone.now()
    fields = {"state": CycleState.PUBLISHED, "closed_at": now, "published_at": now, **extra}
    return review_cycle(year=year, quarter=quarter, **fields)


def need_answered_by(*, project: Project, author: User, supporters: list[User] = (), **extra) -> Need:
    """A need linked to `project` (adopted), supported by `supporters`."""
    made = need(author=author, status="adopted", **extra)
    NeedProject.objects.create(need=made, project=project)
    NeedSupport.objects.bulk_create(NeedSupport(need=made, user=u) for u in supporters)
    return made


def cocreation(
    *, project: Project, options: tuple[str, ...] = ("方案一", "方案二"), days_left: float = 7
) -> CoCreation:
    """A design vote on `project` that opened a week ago and closes in `days_left` days (negative: ended)."""
    now = timezone.now()
    vote = CoCreation.objects.create(project=project, question="您最喜欢哪个方案？", opens_at=now - timedelta(days=7),
                                     closes_at=now + timedelta(days=days_left))  # fmt: skip
    for order, title in enumerate(options):
        DesignOption.objects.create(
            cocreation=vote, title=title, text="说明", estimated_cost=Decimal("1000"), order=order
        )
    return vote
