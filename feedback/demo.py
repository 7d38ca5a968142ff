"""Demo data of this app, a step of `manage.py seed_demo`: categories, rules, grids and reports of 锦川市."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from civicworks.accounts.models import Role, User
from projects.models import Community, Department, District, Project

from .models import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Channel,
    EventKind,
    GridArea,
    Report,
    ReportEvent,
    ReportKind,
    ReportStatus,
    RoutingRule,
    ServiceCategory,
)

# (code, name, department, SLA hours, description)
CATEGORIES = [
    ("road", "道路破损", "市住房和城乡建设局", 48, "坑洼、井盖缺失、人行道破损"),
    ("streetlight", "路灯", "市城市管理局", 24, "路灯不亮、灯杆倾斜"),
    ("garbage", "垃圾", "市城市管理局", 24, "垃圾堆积、清运不及时"),
    ("street-vending", "占道经营", "市城市管理局", 48, "流动摊贩、店外经营"),
    ("greenery", "绿化", "市园林绿化局", 72, "树木倒伏、绿地损坏"),
    ("public-toilet", "公厕", "市城市管理局", 24, "公厕脏乱、设施损坏"),
    ("noise", "噪音", "市生态环境局", 48, "施工、商铺、夜间噪音"),
    ("other", "其他", "市12345市民服务热线中心", 72, "其他问题和建议"),
]
# (category, district code, department): the district units that take these on themselves.
RULES = [
    ("road", "linjiang", "临江区住房和建设局"),
    ("road", "jinhua", "锦华区住房和建设局"),
    ("street-vending", "qingshan", "青山区城市管理局"),
    ("greenery", "gaoxin", "高新区公园城市局"),
]

TEXTS = {
    "road": [
        "{place}门口路面有一个大坑，雨天积水，电动车经过很危险。",
        "{place}人行道砖松动翘起，老人容易绊倒。",
        "{place}附近井盖缺失，已经用树枝临时围着。",
    ],
    "streetlight": ["{place}一排路灯已经连续一周不亮，晚上回家很黑。", "{place}路灯白天也亮着，浪费电。"],
    "garbage": ["{place}垃圾桶满了两天没人清运，气味很大。", "{place}有人乱倒建筑垃圾。"],
    "street-vending": [
        "{place}早上流动摊贩占满人行道，行人只能走机动车道。",
        "{place}烧烤店把桌子摆到路上，晚上很吵。",
    ],
    "greenery": ["{place}行道树被风吹倒一半，压着围墙。", "{place}绿化带里的草坪被车碾坏了。"],
    "public-toilet": ["{place}公厕没有纸也没有洗手液，地面很脏。", "{place}公厕的无障碍门坏了。"],
    "noise": ["{place}工地晚上十一点还在施工，噪音很大。", "{place}广场舞音响声音太大，影响休息。"],
    "other": ["建议在{place}增加几张休息座椅。", "请问{place}的老旧小区改造什么时候开始？"],
}
ANSWERS = [
    "已安排维修班组到现场处理，感谢您的反映。",
    "经现场核实，问题已整改完毕，请您监督。",
    "已联系责任单位限期整改，我们会持续跟进。",
]
PLACES = ["望江路", "柳荫街", "滨河公园", "青龙巷", "松林小区", "翠微路", "锦绣广场", "华阳街", "桂花巷", "创业路", "天府大道", "银杏广场"]  # fmt: skip
NAMES = ["王女士", "李先生", "张阿姨", "刘师傅", "陈同学", "杨先生"]


def demo_code(number: int) -> str:
    """A stable code per demo report (idempotent seeding) that still looks like a real one."""
    rng = random.Random(f"civicworks-demo-report-{number}")  # noqa: S311
    return "".join(rng.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def seed_categories(*, with_rules: bool = False) -> None:
    for order, (code, name, department, sla, description) in enumerate(CATEGORIES):
        ServiceCategory.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "department": Department.objects.get(name=department),
                "sla_hours": sla,
                "description": description,
                "order": order,
            },
        )
    if with_rules:
        for code, district, department in RULES:
            RoutingRule.objects.update_or_create(
                category=ServiceCategory.objects.get(code=code),
                district=District.objects.get(code=district),
                defaults={"department": Department.objects.get(name=department)},
            )


def seed_grids() -> None:
    """One grid per community (its boundary), with a grid worker of the district's unit or the city."""
    fallback = Department.objects.get(name="市城市管理局")
    for number, community in enumerate(Community.objects.select_related("district").order_by("id"), start=1):
        worker, _ = User.objects.get_or_create(
            username=f"grid{number:02d}",
            defaults={"role": Role.GRID_WORKER, "department": fallback, "first_name": f"网格员{community.name[:2]}"},
        )
        GridArea.objects.update_or_create(
            district=community.district,
            name=f"{community.name}网格",
            defaults={"community": community, "boundary": community.boundary, "grid_worker": worker},
        )


def _point_in(community: Community, rng: random.Random) -> tuple[float, float]:
    ring = community.boundary["coordinates"][0]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    return round(rng.uniform(min(lats), max(lats)), 6), round(rng.uniform(min(lngs), max(lngs)), 6)


STATUS_MIX = [ReportStatus.DISPATCHED] * 3 + [ReportStatus.ACCEPTED] * 3 + [ReportStatus.RESOLVED] * 3 + [ReportStatus.CONFIRMED] * 2 + [ReportStatus.CLOSED] * 4 + [ReportStatus.TRANSFERRED, ReportStatus.REOPENED]  # fmt: skip


def _build(number: int, rng: random.Random, context: dict) -> tuple[Report, list[ReportEvent]]:
    """One report and its timeline, consistent with routing and the deadline."""
    category = rng.choice(context["categories"])
    community = rng.choice(context["communities"])
    latitude, longitude = _point_in(community, rng)
    place = rng.choice(PLACES)
    project = rng.choice(context["projects"]) if context["projects"] and number % 9 == 0 else None
    rule = context["rules"].get((category.pk, community.district_id))
    department = project.lead_unit if project else rule or category.department
    status = rng.choice(STATUS_MIX)
    # Old enough for every step of its status to lie in the past.
    min_age = {ReportStatus.DISPATCHED: 1, ReportStatus.TRANSFERRED: 4, ReportStatus.ACCEPTED: 8}.get(
        status, category.sla_hours + (110 if status == ReportStatus.CLOSED else 30)
    )
    submitted = context["now"] - timedelta(hours=min_age + rng.randint(0, 24 * 120), minutes=rng.randint(0, 59))
    dispatched = submitted + timedelta(minutes=rng.randint(1, 20))
    report = Report(
        tracking_code=demo_code(number),
        kind=ReportKind.PRAISE
        if number % 17 == 0
        else ReportKind.QUESTION
        if category.code == "other"
        else ReportKind.PROBLEM,
        category=category,
        text=rng.choice(TEXTS[category.code]).format(place=place),
        text_is_public=number % 11 != 0,
        latitude=latitude,
        longitude=longitude,
        address=f"{community.district.name}{place}",
        district=community.district,
        community=community,
        grid_area=context["grids"].get(community.pk),
        grid_worker=context["grids"][community.pk].grid_worker if community.pk in context["grids"] else None,
        project=project,
        reporter_name=rng.choice(NAMES),
        reporter_phone=f"139{rng.randint(10_000_000, 99_999_999)}",
        channel=Channel.QR if project else rng.choice([Channel.WEB, Channel.WEB, Channel.API, Channel.OPEN311]),
        status=status,
        department=department,
        submitted_at=submitted,
        dispatched_at=dispatched,
        due_at=dispatched + timedelta(hours=category.sla_hours),
    )
    events = [
        ReportEvent(report=report, kind=EventKind.SUBMITTED, created_at=submitted),
        ReportEvent(report=report, kind=EventKind.DISPATCHED, department=department, created_at=dispatched),
    ]
    if status in (ReportStatus.ACCEPTED, ReportStatus.RESOLVED, ReportStatus.CONFIRMED, ReportStatus.CLOSED):
        report.accepted_at = dispatched + timedelta(hours=rng.randint(1, 6))
        events.append(
            ReportEvent(report=report, kind=EventKind.ACCEPTED, department=department, created_at=report.accepted_at)
        )
    if status == ReportStatus.TRANSFERRED:
        target = context["desk"] if department != context["desk"] else category.department
        report.department = target
        report.dispatched_at = dispatched + timedelta(hours=2)
        report.due_at = report.dispatched_at + timedelta(hours=category.sla_hours)
        note = f"{department} → {target}：不属于本部门职责"
        events.append(
            ReportEvent(
                report=report,
                kind=EventKind.TRANSFERRED,
                department=target,
                note=note,
                created_at=dispatched + timedelta(hours=2),
            )
        )
    if status in (ReportStatus.RESOLVED, ReportStatus.CONFIRMED, ReportStatus.CLOSED, ReportStatus.REOPENED):
        report.accepted_at = report.accepted_at or dispatched + timedelta(hours=1)
        report.resolved_at = report.accepted_at + timedelta(hours=rng.randint(2, category.sla_hours + 12))
        report.answer = rng.choice(ANSWERS)
        events.append(
            ReportEvent(
                report=report,
                kind=EventKind.RESOLVED,
                department=department,
                note=report.answer,
                created_at=report.resolved_at,
            )
        )
        if rng.random() < 0.6:
            report.rating = rng.choice([5, 5, 4, 4, 3, 2])
            report.rated_at = report.resolved_at + timedelta(hours=5)
            events.append(
                ReportEvent(report=report, kind=EventKind.RATED, note=f"{report.rating}/5", created_at=report.rated_at)
            )
    if status == ReportStatus.REOPENED:
        reopened = report.resolved_at + timedelta(hours=8)
        events.append(
            ReportEvent(
                report=report, kind=EventKind.REOPENED, department=department, note="问题仍然存在", created_at=reopened
            )
        )
        report.resolved_at, report.answer, report.rating, report.rated_at = None, "", None, None
        report.due_at = reopened + timedelta(hours=category.sla_hours)
        events = [e for e in events if e.kind != EventKind.RATED]
    if status == ReportStatus.CONFIRMED:
        events.append(
            ReportEvent(report=report, kind=EventKind.CONFIRMED, created_at=report.resolved_at + timedelta(hours=6))
        )
    if status == ReportStatus.CLOSED:
        report.closed_at = report.resolved_at + timedelta(days=3)
        events.append(
            ReportEvent(report=report, kind=EventKind.CLOSED, department=department, created_at=report.closed_at)
        )
    # Make sure nothing in the timeline lies in the future.
    events = [e for e in events if e.created_at <= context["now"]]
    return report, events


@transaction.atomic
def seed_reports(*, count: int) -> int:
    codes = [demo_code(number) for number in range(1, count + 1)]
    existing = set(Report.objects.filter(tracking_code__in=codes).values_list("tracking_code", flat=True))
    rng = random.Random(20261128)  # noqa: S311 — demo data, reproducible
    context = {
        "now": timezone.now(),
        "categories": list(ServiceCategory.objects.select_related("department")),
        "communities": list(Community.objects.select_related("district")),
        "projects": list(Project.objects.filter(is_public=True).select_related("lead_unit")),
        "rules": {
            (r.category_id, r.district_id): r.department for r in RoutingRule.objects.select_related("department")
        },
        "desk": Department.objects.filter(is_default_desk=True).first(),
        "grids": {g.community_id: g for g in GridArea.objects.select_related("grid_worker")},
    }
    reports, events = [], []
    for number in range(1, count + 1):
        report, timeline = _build(number, rng, context)
        if report.tracking_code in existing:
            continue
        reports.append(report)
        events.extend(timeline)
    Report.objects.bulk_create(reports, batch_size=1000)
    for event in events:
        event.report_id = event.report.pk
    ReportEvent.objects.bulk_create(events, batch_size=2000)
    return len(reports)


def seed(*, options: dict, stdout) -> None:
    seed_categories(with_rules=True)
    seed_grids()
    created = seed_reports(count=int(options.get("reports") or 120))
    stdout.write(f"feedback: {ServiceCategory.objects.count()} categories, {created} new reports")
