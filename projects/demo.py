"""The demo city 锦川市 (a fictional city): districts, communities, departments, categories.

Projects are added further down by `seed_projects`; everything is keyed on natural keys
so running the seed again completes the city instead of duplicating it.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from civicworks import bulkload

from . import demo_stories, services
from .models import ChainRole, Community, Department, District, Milestone, Project, ProjectCategory, ResponsiblePerson

CITY_NAME = "锦川市"
# The project every app's demo fills to the full (score, rectification, reports, needs, a vote):
# the hub page to open first (望江社区老旧小区综合改造, 临江区, led by 市住房和城乡建设局).
SHOWCASE = "MX-2026-007"
# It is under way, whatever STAGE_MIX gives its index: its quarters were scored, its site is
# reported on, and its rectification orders are about the works.
SHOWCASE_INDEX, SHOWCASE_STAGE = 6, "construction"

# (code, name, south, west, north, east): four districts tiling the city centre.
DISTRICTS = [
    ("linjiang", "临江区", 30.660, 103.980, 30.720, 104.060),
    ("qingshan", "青山区", 30.660, 104.060, 30.720, 104.140),
    ("jinhua", "锦华区", 30.600, 103.980, 30.660, 104.060),
    ("gaoxin", "高新区", 30.600, 104.060, 30.660, 104.140),
]
COMMUNITIES = {
    "linjiang": ["望江社区", "柳荫社区", "滨河社区"],
    "qingshan": ["青龙社区", "松林社区", "翠微社区"],
    "jinhua": ["锦绣社区", "华阳社区", "桂花社区"],
    "gaoxin": ["创业社区", "天府社区", "银杏社区"],
}
# (name, parent name or None, e-mail local part — also the code of its public page —, default desk)
DEPARTMENTS = [
    ("市住房和城乡建设局", None, "zjj", False),
    ("市城市管理局", None, "cgj", False),
    ("市园林绿化局", None, "ylj", False),
    ("市交通运输局", None, "jtj", False),
    ("市民政局", None, "mzj", False),
    ("市生态环境局", None, "sthj", False),
    ("市12345市民服务热线中心", None, "12345", True),
    ("临江区住房和建设局", "市住房和城乡建设局", "lj-zjj", False),
    ("青山区城市管理局", "市城市管理局", "qs-cgj", False),
    ("锦华区住房和建设局", "市住房和城乡建设局", "jh-zjj", False),
    ("高新区公园城市局", "市园林绿化局", "gx-gyj", False),
]
CATEGORIES = [
    ("elevator", "老旧小区加装电梯"),
    ("toilet", "公共厕所改造"),
    ("playground", "儿童游乐设施"),
    ("pocket-park", "口袋公园"),
    ("garden", "共享菜园"),
    ("lighting", "路灯照明"),
    ("renewal", "老旧小区改造"),
    ("road", "背街小巷道路修缮"),
    ("elderly", "社区养老服务"),
    ("parking", "停车设施"),
]


def rectangle(south: float, west: float, north: float, east: float) -> dict:
    """A GeoJSON polygon (RFC 7946: lon/lat, counter-clockwise outer ring)."""
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def community_boxes(south: float, west: float, north: float, east: float, count: int):
    """Split a district into `count` vertical strips, one per community."""
    width = (east - west) / count
    return [(south, west + i * width, north, west + (i + 1) * width) for i in range(count)]


def seed_directory() -> None:
    for code, name, *box in DISTRICTS:
        district, _ = District.objects.update_or_create(code=code, defaults={"name": name, "boundary": rectangle(*box)})
        names = COMMUNITIES[code]
        for community_name, strip in zip(names, community_boxes(*box, len(names)), strict=True):
            Community.objects.update_or_create(
                district=district, name=community_name, defaults={"boundary": rectangle(*strip)}
            )
    for name, parent_name, mailbox, default_desk in DEPARTMENTS:
        Department.objects.update_or_create(
            name=name,
            defaults={
                "code": mailbox,
                "parent": Department.objects.get(name=parent_name) if parent_name else None,
                "dispatch_email": f"{mailbox}@jinchuan.example.cn",
                "is_default_desk": default_desk,
            },
        )
    for code, name in CATEGORIES:
        ProjectCategory.objects.update_or_create(code=code, defaults={"name": name})


def seed(*, options: dict, stdout) -> None:
    seed_directory()
    count = int(options.get("projects") or DETAILED)
    seed_projects(count=count, seed=int(options.get("seed") or 2026))
    stdout.write(
        f"{CITY_NAME}: {District.objects.count()} districts, {Department.objects.count()} departments, "
        f"{Project.objects.count()} projects"
    )


# --- Projects ----------------------------------------------------------------------------

DETAILED = 40
HOUSING, CITY_MGMT, PARKS, TRANSPORT, CIVIL, ECO = (
    "市住房和城乡建设局",
    "市城市管理局",
    "市园林绿化局",
    "市交通运输局",
    "市民政局",
    "市生态环境局",
)
# (category, title with {c} for the community, lead unit, co-organisers, budget range in 10k yuan,
#  beneficiaries range, funding sources, description)
PROJECT_KINDS = [
    (
        "elevator",
        "{c}老旧小区加装电梯（第{n}批）",
        HOUSING,
        [CITY_MGMT],
        (80, 260),
        (120, 600),
        "市级财政补贴、居民自筹",
        "为多层住宅加装电梯，解决老年居民上下楼难题，一楼住户协商补偿方案已公示。",
    ),
    (
        "toilet",
        "{c}公共厕所改造提升",
        CITY_MGMT,
        [HOUSING],
        (25, 90),
        (3000, 12000),
        "市级财政",
        "按照“如厕革命”标准改造，增设无障碍厕位、第三卫生间和母婴室。",
    ),
    (
        "playground",
        "{c}儿童游乐设施建设",
        PARKS,
        [CIVIL],
        (30, 120),
        (800, 3000),
        "区级财政、社区公益金",
        "在社区空地建设适龄儿童游乐设施，铺设安全地垫，设置家长休息区。",
    ),
    (
        "pocket-park",
        "{c}口袋公园建设",
        PARKS,
        [CITY_MGMT, HOUSING],
        (60, 240),
        (5000, 20000),
        "市级财政",
        "利用街角闲置地块建设口袋公园，居民投票选定设计方案。",
    ),
    (
        "garden",
        "{c}共享菜园",
        CIVIL,
        [PARKS],
        (8, 30),
        (200, 800),
        "社区公益金、居民自筹",
        "将楼间荒地改造为共享菜园，由居民认领地块、志愿者共同管护。",
    ),
    (
        "lighting",
        "{c}背街小巷路灯照明提升",
        CITY_MGMT,
        [TRANSPORT],
        (20, 80),
        (2000, 9000),
        "区级财政",
        "更换老旧路灯为节能LED灯具，补齐照明盲区，夜间出行更安全。",
    ),
    (
        "renewal",
        "{c}老旧小区综合改造",
        HOUSING,
        [CITY_MGMT, CIVIL],
        (300, 1200),
        (1500, 6000),
        "中央补助、市级财政、专项债",
        "改造雨污管网、外墙保温、消防设施和停车位，同步完善养老托育服务。",
    ),
    (
        "road",
        "{c}背街小巷道路修缮",
        TRANSPORT,
        [CITY_MGMT],
        (40, 180),
        (3000, 15000),
        "市级财政",
        "修复破损路面和人行道，整治积水点，规范非机动车停放。",
    ),
    (
        "elderly",
        "{c}嵌入式养老服务站建设",
        CIVIL,
        [HOUSING],
        (50, 200),
        (600, 2500),
        "福彩公益金、区级财政",
        "建设嵌入式养老服务站，提供助餐、日间照料和康复服务。",
    ),
    (
        "parking",
        "{c}停车设施挖潜改造",
        TRANSPORT,
        [CITY_MGMT, HOUSING],
        (60, 300),
        (800, 4000),
        "社会资本、区级财政",
        "利用边角地增设停车位和充电桩，缓解小区停车难。",
    ),
]
# Stages in a realistic mix: most projects are being built or are finished.
STAGE_MIX = [
    "construction",
    "completed",
    "design",
    "construction",
    "acceptance",
    "tendering",
    "approved",
    "construction",
    "completed",
    "planned",
    "construction",
    "suspended",
    "completed",
    "design",
    "construction",
    "acceptance",
    "cancelled",
    "tendering",
    "construction",
    "completed",
]
STAGE_ORDER = ["planned", "approved", "design", "tendering", "construction", "acceptance", "completed"]
STAGE_PERCENT = {"planned": 0, "approved": 5, "design": 15, "tendering": 25, "acceptance": 95, "completed": 100}
MILESTONES = [
    ("立项批复", "approved", 0.0),
    ("设计方案公示", "design", 0.15),
    ("招标完成", "tendering", 0.3),
    ("开工建设", "construction", 0.4),
    ("主体完工", "acceptance", 0.8),
    ("竣工验收", "completed", 1.0),
]
# The building work starts at this percent; a project under way has gone past it.
CONSTRUCTION_START = 30
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建华", "丽娟", "志强", "秀英", "国平", "海燕", "明", "静", "伟", "芳", "晓东", "红梅", "军", "玉兰"]


def _person_name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _point_in(community: Community, rng) -> tuple[float, float]:
    ring = community.boundary["coordinates"][0]
    west, south, east, north = ring[0][0], ring[0][1], ring[2][0], ring[2][1]
    margin = 0.1
    lng = west + (east - west) * rng.uniform(margin, 1 - margin)
    lat = south + (north - south) * rng.uniform(margin, 1 - margin)
    return round(lat, 6), round(lng, 6)


def _plan(index: int, stage: str, rng, today):
    """Planned dates so that the stage is plausible today; a few projects run late."""
    if stage == "completed":
        # Last year's list, finished by now: the code (MX-<year>-<n>) must not depend on the day.
        start = date(today.year - 1, rng.randint(1, 6), rng.randint(1, 28))
    elif stage in ("planned", "approved"):
        start = today + timedelta(days=rng.randint(20, 120))
    elif stage in ("design", "tendering", "cancelled"):
        start = today - timedelta(days=rng.randint(20, 90))
    else:
        start = today - timedelta(days=rng.randint(120, 320))
    end = start + timedelta(days=rng.randint(180, 330))
    if stage == "completed":
        end = min(end, today - timedelta(days=10))
    late = index % 7 == 3 and stage in ("construction", "acceptance", "suspended")
    if late and end >= today:
        end = today - timedelta(days=rng.randint(10, 60))
    return start, end, late


def _project_fields(index: int, rng, today, communities, departments, categories) -> dict:
    kind = PROJECT_KINDS[index % len(PROJECT_KINDS)]
    code_cat, title, lead, _co, (lo, hi), (b_lo, b_hi), funding, description = kind
    community = communities[(index * 5) % len(communities)]
    stage = SHOWCASE_STAGE if index == SHOWCASE_INDEX else STAGE_MIX[index % len(STAGE_MIX)]
    start, end, late = _plan(index, stage, rng, today)
    if index == SHOWCASE_INDEX:
        start = min(start, date(today.year, 3, 1))  # under way before its first scored quarter
    lat, lng = _point_in(community, rng)
    percent = STAGE_PERCENT.get(stage, rng.randint(35, 85))
    if stage == "cancelled":
        percent = 0
    place = demo_stories.profile(code_cat, community.name, index)
    return {
        "title": title.format(c=community.name, n=index // len(PROJECT_KINDS) + 1),
        "description": demo_stories.description(code_cat, place, description),
        "category": categories[code_cat],
        "district": community.district,
        "community": community,
        "latitude": lat,
        "longitude": lng,
        "year": today.year - 1 if stage == "completed" else today.year,
        "stage": stage,
        "percent_complete": percent,
        "planned_start": start,
        "planned_end": end,
        "expected_completion": end + timedelta(days=rng.randint(30, 90)) if late else end,
        "actual_completion": end - timedelta(days=rng.randint(0, 20)) if stage == "completed" else None,
        "budget": Decimal(rng.randint(lo, hi)) * 10000,
        "funding_sources": funding,
        "beneficiaries": rng.randint(b_lo, b_hi),
        "lead_unit": departments[lead],
    }


def seed_projects(*, count: int = DETAILED, seed: int = 2026) -> None:
    today = timezone.localdate()
    communities = list(Community.objects.select_related("district").order_by("district__code", "name"))
    departments = {d.name: d for d in Department.objects.all()}
    categories = {c.code: c for c in ProjectCategory.objects.all()}
    for index in range(min(count, DETAILED)):
        # One generator per project: a re-run draws the same project whatever was created before.
        rng = random.Random(seed * 100_000 + index)
        fields = _project_fields(index, rng, today, communities, departments, categories)
        code = f"MX-{fields['year']}-{index + 1:03d}"
        project, created = Project.objects.get_or_create(code=code, defaults=fields)
        if created:
            _fill(project, index, rng, today, departments)
    if count > DETAILED:
        _bulk_projects(count - DETAILED, random.Random(seed), today, communities, departments, categories)


def _fill(project: Project, index: int, rng, today, departments) -> None:
    """Chain, milestones, updates, allocations and expenditures consistent with the stage."""
    kind = PROJECT_KINDS[index % len(PROJECT_KINDS)]
    project.co_organisers.set([departments[name] for name in kind[3]])
    _chain(project, rng)
    reached = _milestones(project, today)
    place = demo_stories.profile(kind[0], project.community.name, index)
    _updates(project, reached, rng, today, place)
    _money(project, index, rng, today, place)


def _chain(project: Project, rng) -> None:
    lead = project.lead_unit
    community = project.community.name if project.community else ""
    people = [
        (ChainRole.LEAD, _person_name(rng), "项目负责人、科长", lead, rng.random() < 0.5),
        (ChainRole.GRID_WORKER, _person_name(rng), f"{community}网格员", None, True),
        (ChainRole.SUPERVISOR, _person_name(rng), "市人大代表、民情监督员", None, False),
    ]
    for role, name, title, department, public in people:
        phone = f"138{rng.randint(10000000, 99999999)}"
        ResponsiblePerson.objects.get_or_create(
            project=project,
            role=role,
            name=name,
            defaults={
                "title": title,
                "department": department,
                "phone": phone,
                "email": f"{role}-{project.pk}@jinchuan.example.cn",
                "contact_is_public": public,
            },
        )


def _milestones(project: Project, today) -> list[tuple[str, date]]:
    """Planned dates spread over the plan; reached ones dated; returns the reached (stage, date)."""
    start, end = project.planned_start, project.planned_end
    rank = STAGE_ORDER.index(project.stage) if project.stage in STAGE_ORDER else 4
    reached = []
    for order, (title, stage, share) in enumerate(MILESTONES, start=1):
        planned = start + timedelta(days=int((end - start).days * share))
        done = STAGE_ORDER.index(stage) <= rank and project.stage not in ("planned",)
        if project.stage == "cancelled":
            done = stage == "approved"
        actual = min(planned + timedelta(days=(order * 3) % 11), today) if done else None
        if done and stage == "completed":
            actual = project.actual_completion
        services.milestone_record(project=project, by=None, title=title, planned_date=planned, order=order)
        if actual:
            Milestone.objects.filter(project=project, order=order).update(actual_date=actual)
            reached.append((stage, actual))
    return reached


def _updates(project: Project, reached, rng, today, place: demo_stories.Profile) -> None:
    """The project's story in stage order, each update with the figures of its stage and percent."""
    final_stage, final_percent = project.stage, project.percent_complete
    steps = [
        (stage, STAGE_PERCENT.get(stage, CONSTRUCTION_START), when) for stage, when in reached if stage != "completed"
    ]
    if final_stage == "construction":
        steps.append(("construction", final_percent, today - timedelta(days=rng.choice([3, 9, 16, 45]))))
    if final_stage in ("completed", "suspended", "cancelled"):
        steps.append(
            (final_stage, final_percent, project.actual_completion or today - timedelta(days=rng.randint(5, 40)))
        )
    steps.sort(key=lambda s: s[2])
    figures = {
        "title": project.title,
        "budget": f"{project.budget / 10000:.0f}",
        "funding": project.funding_sources,
        "days": rng.choice([7, 10, 15]),
        "opinions": rng.randint(12, 96),
        "bid": f"{project.budget * Decimal(rng.uniform(0.62, 0.78)) / 10000:.1f}",
    }
    for stage, percent, when in steps:
        at = timezone.make_aware(datetime.combine(when, time(10, rng.randint(0, 59))))
        told = "construction-start" if stage == "construction" and percent <= CONSTRUCTION_START else stage
        text = demo_stories.update_text(project.category.code, place, told, percent, figures)
        services.progress_record(project=project, by=None, stage=stage, percent=percent, text=text, at=at)
    Project.objects.filter(pk=project.pk).update(stage=final_stage, percent_complete=final_percent)
    project.refresh_from_db()


def _money(project: Project, index: int, rng, today, place: demo_stories.Profile) -> None:
    if project.stage in ("planned",):
        return
    budget = project.budget
    first = (budget * Decimal("0.6")).quantize(Decimal("1"))
    services.allocation_record(
        project=project,
        by=None,
        date=project.planned_start - timedelta(days=10) if project.planned_start < today else today,
        amount=first,
        source=f"{project.funding_sources.split('、')[0]}首批资金下达",
    )
    if project.stage in ("construction", "acceptance", "completed"):
        services.allocation_record(
            project=project,
            by=None,
            date=min(today, project.planned_start + timedelta(days=90)),
            amount=budget - first,
            source=f"{project.funding_sources.split('、')[-1]}第二批资金下达",
        )
    # Spending follows the work; every 9th project overruns its budget by a few percent.
    share = Decimal(project.percent_complete) / 100 * Decimal(rng.uniform(0.85, 0.98))
    if index % 9 == 4 and project.stage in ("construction", "acceptance", "completed"):
        share = Decimal("1.04") + Decimal(index % 3) / 100
    spend = (budget * share).quantize(Decimal("0.01"))
    paid = demo_stories.payments(project.category.code, place, project.stage) if spend > 0 else []
    total_weight = sum(weight for _purpose, _payee, weight in paid)
    start, left = min(project.planned_start, today), spend
    for n, (purpose, payee, weight) in enumerate(paid):
        amount = left if n == len(paid) - 1 else (spend * weight / total_weight).quantize(Decimal("0.01"))
        left -= amount
        services.expenditure_record(
            project=project,
            by=None,
            date=min(today, start + timedelta(days=20 + n * 30)),
            amount=amount,
            payee=payee,
            purpose=purpose,
            voucher_number=f"JC{project.pk:05d}-{n + 1:02d}",
        )


def _bulk_projects(extra: int, rng, today, communities, departments, categories) -> None:
    """Benchmark sizes: plain rows loaded in bulk (no chain or history), keyed on their code."""
    existing = set(Project.objects.filter(code__startswith="MX-B").values_list("code", flat=True))
    first_id, now, co = bulkload.next_id(Project), timezone.now(), departments[CITY_MGMT]
    rows, links = [], []
    for n in range(extra):
        code = f"MX-B{n + 1:07d}"
        fields = _project_fields(DETAILED + n, rng, today, communities, departments, categories)
        if code in existing:
            continue
        pk = first_id + len(rows)
        rows.append((pk, code, *(_plain(fields[name]) for name in BULK_FIELDS), True, now, now))
        if fields["lead_unit"] != co:
            links.append((pk, co.pk))
    columns = ["id", "code", *(_column(name) for name in BULK_FIELDS), "is_public", "created_at", "updated_at"]
    bulkload.load(Project, columns, rows)
    bulkload.reset_sequence(Project)
    bulkload.load(Project.co_organisers.through, ["project_id", "department_id"], links)


BULK_FIELDS = [
    "title", "description", "category", "district", "community", "latitude", "longitude", "year", "stage",
    "percent_complete", "planned_start", "planned_end", "expected_completion", "actual_completion", "budget",
    "funding_sources", "beneficiaries", "lead_unit",
]  # fmt: skip
FOREIGN_KEYS = {"category", "district", "community", "lead_unit"}


def _column(name: str) -> str:
    return f"{name}_id" if name in FOREIGN_KEYS else name


def _plain(value):
    return value.pk if hasattr(value, "pk") else value
