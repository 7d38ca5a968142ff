"""Demo data of this app, a step of `manage.py seed_demo`: categories, rules, grids and reports of 锦川市."""

import os
import random
import time
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from civicworks import bulkload, demo_images
from civicworks.accounts.models import Role, User
from projects.demo import SHOWCASE
from projects.models import Community, Department, District, Project

from . import demo_texts, rollups, services
from .field import services as field_services
from .models import (
    REPORT_PATHS,
    REPORT_STEPS,
    STEP_EVENTS,
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Channel,
    EventKind,
    FixedAnswer,
    GridArea,
    Report,
    ReportEvent,
    ReportKind,
    ReportStatus,
    ReportStep,
    ResponseTemplate,
    RoutingRule,
    ServiceCategory,
    SiteCheck,
)
from .routing import route_choice
from .selectors import quarter_period

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
# A category whose answers must show the result (ServiceCategory.requires_after_photo): seeded
# apart, with one report answered through the services, photos and all (`seed_before_after`).
AFTER_PHOTO_CATEGORY = ("manhole", "井盖", "市住房和城乡建设局", 24, "井盖缺失、破损、下沉（处理须附整改后照片）")
# (category, district code, department): the district units that take these on themselves.
RULES = [
    ("road", "linjiang", "临江区住房和建设局"),
    ("road", "jinhua", "锦华区住房和建设局"),
    ("street-vending", "qingshan", "青山区城市管理局"),
    ("greenery", "gaoxin", "高新区公园城市局"),
]

# Reports about the showcase project (projects.demo.SHOWCASE): a building site among old homes.
SHOWCASE_EVERY, SHOWCASE_UP_TO = 15, 120
SHOWCASE_CATEGORIES = ["noise", "road", "other", "garbage"]
# How residents sign a report: a surname and a way of being addressed.
NAMES = [s + t for s in "王李张刘陈杨黄赵吴周徐孙" for t in ("女士", "先生", "阿姨", "师傅")]


def demo_code(number: int) -> str:
    """A stable code per demo report (idempotent seeding) that still looks like a real one.

    An odd multiplier and an xor-shift are both invertible modulo 2**65, so distinct numbers
    give distinct codes; cheap enough for a million reports.
    """
    x = (number * 0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D) % 2**65
    x ^= x >> 29
    return "".join(TRACKING_ALPHABET[(x >> (5 * i)) & 31] for i in range(TRACKING_LENGTH))


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


# Canned answers per category (常用回复), written by each category's department; each one different.
RESPONSE_TEMPLATES = {
    "road": [
        ("已安排修补", "您好，您反映的路面破损问题已转市政养护班组，将在3个工作日内完成修补，期间请绕行注意安全。"),
        ("已设置警示", "您好，我们已在现场设置警示标志和围挡，待天气转好后进行沥青修补，感谢您的反映。"),
    ],
    "streetlight": [
        ("路灯已报修", "您好，路灯维护单位已到现场检查，故障为线路老化，更换后已恢复照明，请您留意。"),
        ("夜间巡查", "您好，我们已将该路段列入夜间巡查，发现不亮的路灯将在24小时内修复。"),
    ],
    "garbage": [
        ("已清运", "您好，环卫作业队已对该点位的垃圾进行清运，并增加了每日清运频次。"),
        ("加强督查", "您好，我们已约谈责任保洁单位，后续将每日督查该点位的保洁情况。"),
    ],
    "street-vending": [
        ("已劝导规范", "您好，城管执法中队已到现场劝导占道摊贩，引导其进入规定的疏导点经营。"),
        ("纳入重点点位", "您好，该路段已纳入早晚高峰重点管控点位，执法人员将定时巡查。"),
    ],
    "greenery": [
        ("已扶正树木", "您好，园林养护人员已对倒伏树木进行扶正加固，并清理了周边枝叶。"),
        ("补植草坪", "您好，受损绿地已列入本月补植计划，补植完成前已设置围栏保护。"),
    ],
    "public-toilet": [
        ("已补充耗材", "您好，公厕管理员已补充厕纸和洗手液，并将保洁频次调整为每两小时一次。"),
        ("设施维修", "您好，损坏的无障碍设施已报修，维修单位将在5个工作日内修复。"),
    ],
    "noise": [
        ("已现场核查", "您好，环境执法人员已到现场核查，已要求施工单位严格遵守夜间施工时间规定。"),
        ("噪音监测", "您好，我们已在该区域安排噪声监测，超标情况将依法处理，结果将另行告知。"),
    ],
    "other": [
        ("已转交办理", "您好，您的建议已转交相关部门研究办理，办理结果将通过本平台答复您。"),
        ("感谢建议", "您好，感谢您对城市建设的关心，您的建议已纳入我们下一阶段的工作考虑。"),
    ],
    "manhole": [
        ("已更换井盖", "您好，已更换新的防坠井盖并加装防坠网，整改后照片已上传，请您监督。"),
        ("已设置围挡", "您好，我们已在缺失井盖处设置围挡和警示灯，新井盖到货后24小时内安装。"),
    ],
}


def seed_response_templates() -> int:
    """Each category's canned answers, for its department (idempotent by category and title)."""
    created = 0
    for category in ServiceCategory.objects.filter(code__in=RESPONSE_TEMPLATES).select_related("department"):
        for title, text in RESPONSE_TEMPLATES[category.code]:
            _row, new = ResponseTemplate.objects.update_or_create(
                category=category, title=title, defaults={"department": category.department, "text": text}
            )
            created += new
    return created


# The grid workers (网格员) of the twelve communities, in the order the communities were created.
GRID_WORKER_NAMES = [
    "何丽华", "郭建军", "马春燕", "罗志刚", "高秀兰", "胡国平",
    "徐晓梅", "杨立新", "黄桂芳", "朱卫东", "林美玲", "郑国强",
]  # fmt: skip


def seed_before_after() -> Report | None:
    """The 井盖 category and one report of it answered with an "after" photo (Pillow-drawn pictures).

    Through the services, not as rows: the answer must pass the rule it demonstrates. Idempotent.
    """
    code, name, department, sla, description = AFTER_PHOTO_CATEGORY
    department = Department.objects.get(name=department)
    category, _ = ServiceCategory.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "department": department,
            "sla_hours": sla,
            "description": description,
            "order": len(CATEGORIES),
            "requires_after_photo": True,
        },
    )
    official = User.objects.filter(role=Role.OFFICIAL, department=department, is_active=True).order_by("pk").first()
    community = Community.objects.select_related("district").filter(district__code="linjiang").order_by("pk").first()
    if Report.objects.filter(category=category).exists() or official is None or community is None:
        return None
    latitude, longitude = _point_in(community, random.Random(16))  # noqa: S311 — demo data
    report = services.report_submit(
        category=category,
        text="望江路人行道上的井盖缺失，只用两个锥桶围着，晚上路过很危险。",
        latitude=latitude,
        longitude=longitude,
        address=f"{community.district.name}望江路",
        reporter_name="刘师傅",
        photos=[demo_images.manhole("before")],
    )
    services.report_accept(report=report, by=official)
    return services.report_resolve(
        report=report,
        by=official,
        answer="已更换新的防坠井盖并加装防坠网，现场已恢复通行，请您监督。",
        photo=demo_images.manhole("after"),
    )


def seed_grids() -> None:
    """One grid per community (its boundary), with a grid worker of the district's unit or the city."""
    fallback = Department.objects.get(name="市城市管理局")
    # The demo log-in `grid` (a district unit's worker) holds the first grid of its district, so that
    # signing in as it opens a field view with work in it.
    login = User.objects.filter(username="grid").select_related("department").first()
    for number, community in enumerate(Community.objects.select_related("district").order_by("id"), start=1):
        if login and login.department and login.department.name.startswith(community.district.name):
            worker, login = login, None
        else:
            worker, _ = User.objects.get_or_create(
                username=f"grid{number:02d}",
                defaults={
                    "role": Role.GRID_WORKER,
                    "department": fallback,
                    "last_name": GRID_WORKER_NAMES[(number - 1) % len(GRID_WORKER_NAMES)][0],
                    "first_name": GRID_WORKER_NAMES[(number - 1) % len(GRID_WORKER_NAMES)][1:],
                },
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


# The city's record over the last five complete quarters and the running one (quarters back, oldest
# first): fewer complaints, more closed, answered sooner and more residents satisfied — complaints
# 40 % down on a year earlier and satisfaction from 62 % to 91 %, the figures the city publishes.
# (quarters back, weight, share closed, handling-time factor, share of satisfied ratings)
HISTORY = [
    (5, 10, 0.85, 1.6, 0.66),
    (4, 9, 0.88, 1.35, 0.69),
    (3, 8, 0.92, 1.15, 0.76),
    (2, 7, 0.95, 0.95, 0.83),
    (1, 5.5, 0.98, 0.8, 0.9),
    (0, 5, None, 0.8, 0.9),  # the running quarter: reports at every step (STATUS_MIX)
]
DONE_MIX = [ReportStatus.CLOSED] * 4 + [ReportStatus.CONFIRMED] * 2 + [ReportStatus.RESOLVED] * 2
UNDONE_MIX = [ReportStatus.DISPATCHED, ReportStatus.ACCEPTED, ReportStatus.ACCEPTED, ReportStatus.TRANSFERRED, ReportStatus.REOPENED]  # fmt: skip
FIXED_ASKED_SHARE, FIXED_SAID_SHARE = 0.8, 0.7

STATUS_MIX = [ReportStatus.DISPATCHED] * 3 + [ReportStatus.ACCEPTED] * 3 + [ReportStatus.RESOLVED] * 3 + [ReportStatus.CONFIRMED] * 2 + [ReportStatus.CLOSED] * 4 + [ReportStatus.TRANSFERRED, ReportStatus.REOPENED]  # fmt: skip


REPORT_FIELDS = [
    "tracking_code", "kind", "category_id", "text", "text_is_public", "latitude", "longitude", "address",
    "district_id", "community_id", "grid_area_id", "grid_worker_id", "project_id", "reporter_name",
    "reporter_phone", "reporter_email", "channel", "status", "department_id", "submitted_at", "dispatched_at",
    "due_at", "accepted_at", "resolved_at", "closed_at", "answer", "is_hidden", "hidden_reason", "rating",
    "rating_comment", "rated_at", "fixed_asked_at", "fixed_answer", "fixed_answered_at", "updated_at",
]  # fmt: skip
EVENT_FIELDS = ["report_id", "kind", "department_id", "note", "is_public", "created_at"]
BLOCK = 50_000


def _accept(report: dict, rng: random.Random, context: dict, category: ServiceCategory) -> tuple:
    report["accepted_at"] = report["dispatched_at"] + timedelta(hours=rng.randint(1, 6))
    return report["department_id"], "", report["accepted_at"]


def _transfer(report: dict, rng: random.Random, context: dict, category: ServiceCategory) -> tuple:
    """To the desk (from the desk: to the category's department), as `report_transfer` does."""
    source, desk = report["department_id"], context["desk"]
    target = desk if source != desk else category.department_id
    report["department_id"] = target
    report["dispatched_at"] += timedelta(hours=2)
    report["accepted_at"] = None
    report["due_at"] = report["dispatched_at"] + timedelta(hours=category.sla_hours)
    note = f"{context['names'][source]} → {context['names'][target]}：不属于本部门职责"
    return target, note, report["dispatched_at"]


def _resolve(report: dict, rng: random.Random, context: dict, category: ServiceCategory) -> tuple:
    slowest = round((category.sla_hours + 12) * report["_profile"]["slowness"])
    report["resolved_at"] = report["accepted_at"] + timedelta(hours=rng.randint(2, slowest))
    report["answer"] = demo_texts.answer(context["words"], report["_fix"])
    return report["department_id"], report["answer"], report["resolved_at"]


def _confirm(report: dict, rng: random.Random, context: dict, category: ServiceCategory) -> tuple:
    return None, "", report["resolved_at"] + timedelta(hours=6)


def _reopen(report: dict, rng: random.Random, context: dict, category: ServiceCategory) -> tuple:
    """Back to the department with a fresh deadline, as `report_reopen` does (the answer stays on record).

    An older one was reopened by its reporter's "not fixed" (`report_fixed_answer`) when asked.
    """
    reopened = report["resolved_at"] + timedelta(hours=8)
    asked = report["resolved_at"] + timedelta(days=context["fixed_days"])
    if asked + timedelta(days=1) < context["now"] and report["_profile"]["historic"]:
        reopened = asked + timedelta(hours=rng.randint(2, 30))
        report.update(fixed_asked_at=asked, fixed_answer=FixedAnswer.NOT_FIXED, fixed_answered_at=reopened)
    report.update(resolved_at=None, dispatched_at=reopened, due_at=reopened + timedelta(hours=category.sla_hours))
    return report["department_id"], "问题仍然存在", reopened


def _close(report: dict, rng: random.Random, context: dict, category: ServiceCategory) -> tuple:
    report["closed_at"] = report["resolved_at"] + timedelta(days=3)
    return report["department_id"], "", report["closed_at"]


def _rate(report: dict, rng: random.Random, context: dict, category: ServiceCategory) -> tuple:
    satisfied = rng.random() < report["_profile"]["satisfied"]
    report["rating"] = rng.choice([5, 5, 4] if satisfied else [3, 2, 1])
    report["rated_at"] = report["resolved_at"] + timedelta(hours=5)
    return None, f"{report['rating']}/5", report["rated_at"]


# How each step of REPORT_PATHS fills in a historic report: (department, note, time) of its event.
STEP_ROWS = {
    ReportStep.ACCEPT: _accept,
    ReportStep.TRANSFER: _transfer,
    ReportStep.RESOLVE: _resolve,
    ReportStep.CONFIRM: _confirm,
    ReportStep.REOPEN: _reopen,
    ReportStep.CLOSE: _close,
    ReportStep.RATE: _rate,
}


def _ask_fixed(report: dict, rng: random.Random, context: dict) -> None:
    """Confirmed or closed long enough ago: asked "is it fixed?" (feedback/fixed.py), most said fixed."""
    if report["status"] not in (ReportStatus.CONFIRMED, ReportStatus.CLOSED) or report["resolved_at"] is None:
        return
    asked = report["resolved_at"] + timedelta(days=context["fixed_days"])
    if asked + timedelta(days=2) > context["now"] or rng.random() > FIXED_ASKED_SHARE:
        return
    report["fixed_asked_at"] = asked
    if rng.random() < FIXED_SAID_SHARE:
        report.update(fixed_answer=FixedAnswer.FIXED, fixed_answered_at=asked + timedelta(hours=rng.randint(1, 40)))


def _when(rng: random.Random, context: dict, status: str, category: ServiceCategory) -> tuple:
    """The report's quarter (by HISTORY's weights), its status and when it was submitted.

    Old enough for every step of its status to lie in the past: a report of the running
    quarter too young for its status moves back before the quarter began.
    """
    back, _weight, closed, slowness, satisfied = rng.choices(HISTORY, weights=[h[1] for h in HISTORY])[0]
    if closed is not None:
        status = rng.choice(DONE_MIX if rng.random() < closed else UNDONE_MIX)
    min_age = {ReportStatus.DISPATCHED: 1, ReportStatus.TRANSFERRED: 4, ReportStatus.ACCEPTED: 8}.get(
        status, category.sla_hours + (110 if status == ReportStatus.CLOSED else 30)
    )
    start, end = context["quarters"][back]
    latest = min(end, context["now"] - timedelta(hours=min_age))
    seconds = max(0, int((latest - start).total_seconds()))
    submitted = latest - timedelta(seconds=rng.randint(0, seconds) if seconds else rng.randint(0, 7 * 86400))
    profile = {"historic": back > 0, "slowness": slowness, "satisfied": satisfied}
    return status, submitted, profile


def _steps(status: str, rng: random.Random) -> list[str]:
    """The declared path to `status`; most residents rate an answer that stays given."""
    steps = list(REPORT_PATHS[status])
    if status in REPORT_STEPS[ReportStep.RATE] and rng.random() < 0.6:
        steps.insert(steps.index(ReportStep.RESOLVE) + 1, ReportStep.RATE)
    return steps


def _build(number: int, rng: random.Random, context: dict) -> tuple[dict, list[tuple]]:
    """One report (a dict of REPORT_FIELDS) and its timeline (kind, department id, note, time).

    Routed by the city's precedence (`routing.route_choice`) and walked along the declared
    path to its status (`REPORT_PATHS`); plain values, no model instances (see bulkload).
    """
    category = rng.choice(context["categories"])
    community = rng.choice(context["communities"])
    project = _project_of(number, rng, context)
    if project is not None and project.community_id in context["community_by_pk"]:
        # A report about a project stands in the project's community and names a place of it.
        community = context["community_by_pk"][project.community_id]
    if project is not None and project.code == SHOWCASE:
        category = context["category_by_code"][SHOWCASE_CATEGORIES[number // SHOWCASE_EVERY % len(SHOWCASE_CATEGORIES)]]
    words = context["words"]
    praise = number % 17 == 0
    if project is not None and not praise:
        kind = context["project_kinds"].get(project.pk, "")
        text, place, fix = demo_texts.works_text(words, category.code, community.name, kind, number)
    else:
        text, place, fix = demo_texts.report_text(words, category.code, community.name, praise=praise)
    latitude, longitude = _point_in(community, rng)
    department, _reason = route_choice(
        category=category.pk,
        district=community.district_id,
        project_lead=project.lead_unit_id if project else None,
        rules=context["rules"],
        category_department=category.department_id,
        default_desk=context["desk"],
    )
    status, submitted, profile = _when(rng, context, rng.choice(STATUS_MIX), category)
    dispatched = submitted + timedelta(minutes=rng.randint(1, 20))
    grid = context["grids"].get(community.pk)
    report = {
        "tracking_code": demo_code(number),
        "kind": ReportKind.PRAISE
        if praise
        else ReportKind.QUESTION
        if category.code == "other"
        else ReportKind.PROBLEM,
        "category_id": category.pk,
        "text": text,
        "text_is_public": number % 11 != 0,
        "latitude": latitude,
        "longitude": longitude,
        "address": f"{community.district.name}{place}",
        "district_id": community.district_id,
        "community_id": community.pk,
        "grid_area_id": grid.pk if grid else None,
        "grid_worker_id": grid.grid_worker_id if grid else None,
        "project_id": project.pk if project else None,
        "reporter_name": words.choice(NAMES),
        "reporter_phone": f"139{rng.randint(10_000_000, 99_999_999)}",
        "reporter_email": "",
        "channel": Channel.QR if project else rng.choice([Channel.WEB, Channel.WEB, Channel.API, Channel.OPEN311]),
        "status": status,
        "department_id": department,
        "submitted_at": submitted,
        "dispatched_at": dispatched,
        "due_at": dispatched + timedelta(hours=category.sla_hours),
        "accepted_at": None,
        "resolved_at": None,
        "closed_at": None,
        "answer": "",
        "is_hidden": False,
        "hidden_reason": "",
        "rating": None,
        "rating_comment": "",
        "rated_at": None,
        "fixed_asked_at": None,
        "fixed_answer": "",
        "fixed_answered_at": None,
        "updated_at": context["now"],
        "_profile": profile,
        "_fix": fix,
    }
    events = [(EventKind.SUBMITTED, None, "", submitted), (EventKind.DISPATCHED, department, "", dispatched)]
    for step in _steps(status, rng):
        events.append((STEP_EVENTS[step], *STEP_ROWS[step](report, rng, context, category)))
    _ask_fixed(report, rng, context)
    # Make sure nothing in the timeline lies in the future.
    return report, [e for e in events if e[3] <= context["now"]]


def _quarters(now) -> dict[int, tuple]:
    """HISTORY's quarters back from the running one: (start, end), aware, in the city's time zone."""
    today = timezone.localtime(now).date()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    found = {}
    for back in range(max(h[0] for h in HISTORY) + 1):
        start, end = quarter_period(year, quarter).bounds()
        found[back] = (start, end)
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return found


def _project_of(number: int, rng: random.Random, context: dict) -> Project | None:
    """Every ninth report is about a project; among the first ones, every SHOWCASE_EVERY-th about the showcase."""
    if context["showcase"] is not None and number % SHOWCASE_EVERY == 0 and number <= SHOWCASE_UP_TO:
        return context["showcase"]
    return rng.choice(context["projects"]) if context["projects"] and number % 9 == 0 else None


def _context() -> dict:
    departments = list(Department.objects.all())
    now = timezone.now()
    projects = list(
        Project.objects.filter(is_public=True).order_by("pk").only("pk", "code", "lead_unit_id", "community_id")
    )
    communities = list(Community.objects.select_related("district").order_by("pk"))
    # Generated rows carry no photos: a category that needs an "after" photo gets its one report apart.
    categories = list(ServiceCategory.objects.filter(requires_after_photo=False))
    return {
        "now": now,
        "quarters": _quarters(now),
        "fixed_days": settings.CIVICWORKS_FIXED_QUESTION_DAYS,
        "categories": categories,
        "category_by_code": {c.code: c for c in categories},
        "communities": communities,
        "community_by_pk": {c.pk: c for c in communities},
        "projects": projects,
        "project_kinds": dict(Project.objects.filter(is_public=True).values_list("pk", "category__code")),
        "showcase": next((p for p in projects if p.code == SHOWCASE), None),
        "rules": {(r.category_id, r.district_id): r.department_id for r in RoutingRule.objects.all()},
        "desk": next((d.pk for d in departments if d.is_default_desk), None),
        "names": {d.pk: d.name for d in departments},
        "grids": {g.community_id: g for g in GridArea.objects.all()},
    }


def _generators(block: int) -> tuple[random.Random, random.Random]:
    """Each block of reports draws from generators of its own, so blocks can be made in any order
    and at once; the first block's are the city's seeds of old (the demo city is unchanged).
    Texts draw from the second: rewording them does not move the statuses and dates."""
    if block == 0:
        return random.Random(20261128), random.Random(20261203)  # noqa: S311 — demo data, reproducible
    return random.Random(f"reports/{block}"), random.Random(f"words/{block}")  # noqa: S311


# What the blocks are made from: the city, the tracking codes already there and the first id (set
# before the blocks are made; generator processes inherit it through the fork, bulkload.in_processes).
_shared: dict = {}


def _block_rows(block: int, count: int) -> tuple[list[tuple], list[tuple]]:
    """Reports of block `block` (numbers block·BLOCK + 1 … at most `count`) that are not there yet,
    and their events; a report's id is first_pk + its number − 1 (gaps where one was there)."""
    rng, words = _generators(block)
    context, existing, first_pk = {**_shared["context"], "words": words}, _shared["existing"], _shared["first_pk"]
    reports, events = [], []
    for number in range(block * BLOCK + 1, min((block + 1) * BLOCK, count) + 1):
        report, timeline = _build(number, rng, context)
        if report["tracking_code"] in existing:
            continue
        pk = first_pk + number - 1
        reports.append((pk, *(report[name] for name in REPORT_FIELDS)))
        events.extend((pk, kind, department, note, True, at) for kind, department, note, at in timeline)
    return reports, events


def _block_text(item: tuple[int, int]) -> tuple[int, str, str]:
    """A block as COPY text, made in a generator process."""
    reports, events = _block_rows(*item)
    return len(reports), bulkload.copy_text(reports), bulkload.copy_text(events)


@transaction.atomic
def seed_reports(*, count: int, rebuild: bool = True, processes: int | None = None) -> int:
    """Reports 1..count that are not there yet, loaded in blocks (COPY on PostgreSQL); then, unless
    `rebuild` is false (the caller does it), the rollups counted again.

    On PostgreSQL with more than one block, the blocks are made in one process per core while
    the loader copies the finished ones, and a load larger than the table loads with its
    indexes, unique constraints and foreign keys made afterwards (`bulkload.indexes_deferred`)."""
    existing = set(Report.objects.values_list("tracking_code", flat=True))
    _shared.update(context=_context(), existing=existing, first_pk=bulkload.next_id(Report))
    blocks = [(block, count) for block in range((count + BLOCK - 1) // BLOCK)]
    on_postgresql = connection.vendor == "postgresql"
    if processes is None:
        processes = (os.cpu_count() or 1) if on_postgresql and len(blocks) > 1 else 1
    fields, created = ["id", *REPORT_FIELDS], 0
    deferred = (
        bulkload.indexes_deferred(Report, ReportEvent) if count - len(existing) > len(existing) else nullcontext()
    )
    with deferred:
        if processes > 1:
            made = bulkload.in_processes(_block_text, blocks, processes=processes)
            for loaded, reports, events in made:
                bulkload.load_text(Report, fields, reports)
                bulkload.load_text(ReportEvent, EVENT_FIELDS, events)
                created += loaded
        else:
            for block in blocks:
                reports, events = _block_rows(*block)
                created += bulkload.load(Report, fields, reports)
                bulkload.load(ReportEvent, EVENT_FIELDS, events)
    bulkload.reset_sequence(Report)
    if rebuild:
        rollups.rebuild()  # the bulk load bypassed the reports' save(): count them into the figures
    return created


SITE_CHECKS = 8


def seed_site_checks() -> int:
    """One check by the grid worker of each of the first grids, on an open report of their grid,
    through the service (its rules and the report's timeline event). Idempotent."""
    created = 0
    grids = GridArea.objects.filter(grid_worker__isnull=False).select_related("grid_worker", "district")
    for number, grid in enumerate(grids.order_by("pk")[:SITE_CHECKS]):
        report = (
            Report.objects.open().filter(grid_area=grid).select_related("category").order_by("due_at", "pk").first()
        )
        if report is None or SiteCheck.objects.filter(report__grid_area=grid).exists():
            continue
        # What the worker found where the resident said, at the report's place (its address less the district).
        place = report.address.removeprefix(grid.district.name) or grid.name
        note = demo_texts.site_check_note(report.category.code, place, report.text, number)
        photo = demo_images.manhole("before") if created == 0 else None
        point = {"latitude": report.latitude, "longitude": report.longitude}
        field_services.site_check_record(by=grid.grid_worker, report=report, note=note, photo=photo, **point)
        created += 1
    return created


def seed(*, options: dict, stdout) -> None:
    seed_categories(with_rules=True)
    seed_grids()
    created = seed_reports(count=int(options.get("reports") or 600), rebuild=False)
    started = time.perf_counter()
    rollups.rebuild()  # the bulk load bypassed the reports' save(): count them into the figures
    if options.get("verbosity", 1) >= 2:
        stdout.write(f"timing rollups {time.perf_counter() - started:.1f} s")
    created += seed_before_after() is not None
    seed_response_templates()  # after the 井盖 category exists
    seed_site_checks()
    stdout.write(f"feedback: {ServiceCategory.objects.count()} categories, {created} new reports")
