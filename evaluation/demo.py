"""Demo of the quarterly review in 锦川市: 2026 Q2 and Q3 reviewed and published, Q4 open.

Runs after the projects, feedback and participation demos. Idempotent: cycles are keyed on
(year, quarter) and a published cycle is left as it is; a cycle's survey answers are written
once (a second run finds them and adds nothing). Department reports are built but their
e-mail goes to a dummy backend (the demo addresses are not real).

Who answers (docs/evaluation.md, "Who counts"): most answers come with the third party's
door-to-door invitation codes, a quarter from signed-in residents, a few anonymously (kept
apart, not counted); in the open quarter one client's burst of anonymous answers is flagged
as suspicious for the evaluator to look at. A quarter that has not begun is not opened.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.test import override_settings
from django.utils import timezone

from civicworks import demo_images
from civicworks.accounts.models import Role, User
from projects import demo_stories
from projects.demo import SHOWCASE
from projects.models import Project

from . import integrity, reports, services
from .models import (
    CycleStep,
    Inspection,
    InspectionItem,
    InvitationCode,
    ManualIndicator,
    OrderStatus,
    PhotoKind,
    RectificationOrder,
    ResponseKind,
    ReviewCycle,
    Survey,
    SurveyResponse,
    WeightingScheme,
)

ORGANISATION = "锦川民意调查中心（第三方）"
# (year, quarter, share of satisfied residents aimed at, close day, publish day)
PAST = [(2026, 2, 0.70, date(2026, 7, 15), date(2026, 7, 22)), (2026, 3, 0.95, date(2026, 10, 14), date(2026, 10, 21))]
CURRENT = (2026, 4, 0.93)
# Mean on-site acceptance score per quarter: the first review finds the most to rectify.
ACCEPTANCE_MEAN = {2: 70, 3: 76, 4: 83}
CHECKLIST = ["施工质量符合设计要求", "安全防护设施完好", "无障碍设施可用", "现场文明施工、无遗留垃圾", "公示牌信息完整"]
COMMENTS = {
    "good": [
        "施工队很负责，进度也快",
        "工作人员经常来听大家的意见",
        "施工期间围挡和清扫都做得不错",
        "问题反映后很快就处理了",
    ],
    "bad": [
        "施工噪音太大，晚上也在干活",
        "围挡占了人行道，出行不方便",
        "进度太慢了，说好的时间没完成",
        "反映的问题没人回复",
    ],
}
# What residents like about the finished work, by project category.
WORK_PRAISE = {
    "elevator": "老人上下楼方便多了，感谢政府", "toilet": "公厕干净了，还有第三卫生间",
    "playground": "孩子们放学都爱去玩，地垫也安全", "pocket-park": "家门口多了个歇脚的地方",
    "garden": "邻居们一起种菜，关系都近了", "lighting": "路灯亮了，晚上散步很安心",
    "renewal": "楼道亮堂了，下雨也不倒灌了", "road": "路平了，下雨不积水了",
    "elderly": "老人在站里吃饭又便宜又实惠", "parking": "停车不用再绕好几圈了",
}  # fmt: skip
MANUAL = {
    "lighting": ("亮灯率", "%", Decimal("98"), True),
    "pocket-park": ("绿化覆盖率", "%", Decimal("40"), True),
    "garden": ("绿化覆盖率", "%", Decimal("35"), True),
    "elevator": ("电梯故障停运次数", "次", Decimal("1"), False),
}
# Department reports (PDF and XLSX) are built for the demo city's size; a benchmark-size
# quarter leaves them to the close task, which would spend minutes on thousands of pages.
REPORTS_UP_TO = 400
REPRESENTATIVES = ["李桂兰", "张德明", "王秀英", "刘建华", "陈淑芬", "杨志强", "赵玉梅", "黄国平"]
SHARE_ANONYMOUS, SHARE_ACCOUNT = 0.05, 0.25  # the rest: invitation codes
SHOWCASE_QUALITY = -0.3  # residents of the showcase project are far less satisfied than elsewhere
BURST = 4  # anonymous answers from one client in the open quarter: flagged at compute


def seed(*, options: dict, stdout) -> None:
    evaluator = User.objects.filter(role=Role.EVALUATOR, is_active=True).order_by("pk").first()
    projects = scope_projects(scope_size(int(options.get("projects") or 40)))
    if evaluator is None or not projects:
        stdout.write("evaluation: skipped (no evaluator account or no projects yet)")
        return
    rng = random.Random(int(options.get("seed") or 2026) + 5)
    per_cycle = int(options.get("responses") or 300) // 3
    scheme = WeightingScheme.default()
    today = timezone.localdate()
    for year, quarter, satisfied, closed_on, published_on in PAST:
        cycle = ReviewCycle.objects.filter(year=year, quarter=quarter).first()
        if closed_on <= today and (cycle is None or not cycle.is_locked):
            review_past(year, quarter, satisfied, closed_on, published_on, projects, scheme, evaluator, rng, per_cycle)
    if date(CURRENT[0], 3 * CURRENT[1] - 2, 1) <= today:
        review_current(projects, scheme, evaluator, rng, per_cycle)
    stdout.write(
        f"evaluation: {ReviewCycle.objects.count()} cycles, {SurveyResponse.objects.count()} survey responses, "
        f"{RectificationOrder.objects.count()} rectification orders"
    )


def scope_size(project_count: int) -> int:
    """Every project of the demo city; a tenth of a benchmark-size city (10,000 of 100,000)."""
    return project_count if project_count <= 400 else project_count // 10


def scope_projects(limit: int) -> list[Project]:
    projects = (
        Project.objects.select_related("category", "community")
        .exclude(stage__in=["planned", "cancelled"])
        .order_by("code")
    )
    return list(projects[:limit]) or list(
        Project.objects.select_related("category", "community").order_by("code")[:limit]
    )


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def open_cycle(year, quarter, projects, scheme, evaluator, survey_closes_on) -> ReviewCycle:
    cycle, _created = ReviewCycle.objects.get_or_create(
        year=year, quarter=quarter, defaults={"scheme": scheme, "organisation": ORGANISATION}
    )
    if cycle.can(CycleStep.OPEN):
        cycle.projects.set(projects)
        cycle.survey_closes_on = survey_closes_on
        cycle.save(update_fields=["survey_closes_on"])
        services.cycle_open(cycle=cycle, by=evaluator)
    return cycle


def review_past(year, quarter, satisfied, closed_on, published_on, projects, scheme, evaluator, rng, responses):
    cycle = open_cycle(year, quarter, projects, scheme, evaluator, survey_closes_on=date(year, 3 * quarter, 20))
    verify_earlier_orders(cycle, evaluator, rng)
    collect(cycle, projects, evaluator, rng, satisfied, responses, inspected_share=1.0)
    services.cycle_compute(cycle=cycle, by=evaluator)
    orders = services.orders_issue(cycle=cycle, by=evaluator, deadline=closed_on + timedelta(days=30))
    answer_some(orders, rng, share=0.7, on=closed_on + timedelta(days=20))
    photograph_one(orders, evaluator)
    services.cycle_close(cycle=cycle, by=evaluator, send_reports=False)
    # Without the PDF font (fonts-wqy-microhei, README) the demo still seeds, without the reports.
    if len(projects) <= REPORTS_UP_TO and reports.font_available():
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            services.cycle_reports_send(cycle=cycle)
    services.cycle_publish(cycle=cycle, by=evaluator)
    ReviewCycle.objects.filter(pk=cycle.pk).update(
        opened_at=at(date(year, 3 * quarter - 2, 5)),
        computed_at=at(closed_on - timedelta(days=2)),
        closed_at=at(closed_on),
        published_at=at(published_on),
    )


def review_current(projects, scheme, evaluator, rng, responses) -> None:
    year, quarter, satisfied = CURRENT
    cycle = open_cycle(year, quarter, projects, scheme, evaluator, survey_closes_on=date(2026, 12, 20))
    if not cycle.can(CycleStep.COMPUTE):
        return
    # Q3's orders stay open: their verification is this quarter's work (and the reminders' subject).
    collect(cycle, projects, evaluator, rng, satisfied, responses, inspected_share=0.6)
    services.cycle_compute(cycle=cycle, by=evaluator)


def collect(cycle, projects, evaluator, rng, satisfied, responses, inspected_share) -> None:
    # Some projects do worse than others, the same ones every quarter.
    quality = {p.pk: random.Random(p.pk).uniform(-0.12, 0.08) for p in projects}
    # The showcase falls short every quarter: its page shows rectification and accountability.
    quality.update({p.pk: SHOWCASE_QUALITY for p in projects if p.code == SHOWCASE})
    # Enough answers (8 each) for as many projects as the size allows; the others fall short of
    # the minimum, so their satisfaction part is missing and re-weighted, as in a real quarter.
    surveys = showcase_second(
        list(Survey.objects.filter(cycle=cycle).select_related("project__category", "project__community"))
    )
    surveys = surveys[: max(1, min(len(surveys), responses // 8))]
    if not SurveyResponse.objects.filter(survey__cycle=cycle).exists():
        answer(cycle, surveys, evaluator, rng, {s.pk: satisfied + quality[s.project_id] for s in surveys}, responses)
    inspect(cycle, projects[: max(1, int(len(projects) * inspected_share))], evaluator, rng, quality)
    indicators = [manual_indicator(cycle, p, rng) for p in projects]
    ManualIndicator.objects.bulk_create([i for i in indicators if i], ignore_conflicts=True)
    # Answers arrived during the survey period, not on the day the demo was seeded.
    answered_on = min(cycle.survey_closes_on or cycle.ends_on, timezone.localdate()) - timedelta(days=10)
    SurveyResponse.objects.filter(survey__cycle=cycle).update(submitted_at=at(answered_on))
    InvitationCode.objects.filter(survey__cycle=cycle, used_at__isnull=False).update(used_at=at(answered_on))


def showcase_second(surveys: list[Survey]) -> list[Survey]:
    """The showcase's survey among the answered ones, but not the first (the open quarter's burst goes there)."""
    showcase = [s for s in surveys if s.project.code == SHOWCASE]
    rest = [s for s in surveys if s.project.code != SHOWCASE]
    return rest[:1] + showcase + rest[1:]


ANSWER_CHUNK = 20_000


def answer(cycle, surveys, evaluator, rng, p_satisfied: dict[int, float], count: int) -> None:
    """`count` answers over the surveys: mostly with invitation codes, some signed in, a few anonymous."""
    residents = list(
        User.objects.filter(role=Role.RESIDENT, is_active=True).order_by("pk").values_list("pk", flat=True)[:200]
    )
    answered = defaultdict(set)  # survey → residents who answered it (one answer each)
    burst = min(BURST, count // 2) if (cycle.year, cycle.quarter) == CURRENT[:2] else 0
    rows, codes = [], []
    for i in range(count - burst):
        survey = surveys[i % len(surveys)]
        row = response(survey, i, rng, p_satisfied[survey.pk])
        roll, resident = rng.random(), rng.choice(residents) if residents else None
        if roll < SHARE_ANONYMOUS:
            row.device_token = f"demo-{cycle.pk}-{i}"
            row.fingerprint = integrity.fingerprint(survey.pk, f"demo-{i}", "demo")
        elif roll < SHARE_ANONYMOUS + SHARE_ACCOUNT and resident and resident not in answered[survey.pk]:
            answered[survey.pk].add(resident)
            row.kind, row.user_id = ResponseKind.ACCOUNT, resident
        else:
            row.kind, row.invitation = ResponseKind.CODE, invitation(survey, evaluator, used=True)
            codes.append(row.invitation)
        rows.append(row)
        if len(rows) >= ANSWER_CHUNK:  # memory stays flat at any size (make bench's province city)
            _save_answers(codes, rows)
            codes, rows = [], []
    for i in range(burst):  # one phone, a fresh cookie each time, dragging a project down
        survey = surveys[0]
        rows.append(
            SurveyResponse(
                survey=survey,
                device_token=f"demo-{cycle.pk}-burst-{i}",
                fingerprint=integrity.fingerprint(survey.pk, "demo-burst", "demo"),
                satisfaction=1,
                happiness=0,
            )
        )
    # Not every card handed out comes back.
    codes += [invitation(survey, evaluator, used=False) for survey in surveys for _i in range(2)]
    _save_answers(codes, rows)


def _save_answers(codes: list[InvitationCode], rows: list[SurveyResponse]) -> None:
    InvitationCode.objects.bulk_create(codes, batch_size=1000)  # first: the answers point to them
    SurveyResponse.objects.bulk_create(rows, batch_size=1000)


def invitation(survey: Survey, evaluator, used: bool) -> InvitationCode:
    return InvitationCode(
        survey=survey, code=InvitationCode.generate(), created_by=evaluator, used_at=timezone.now() if used else None
    )


def response(survey: Survey, i: int, rng: random.Random, p_satisfied: float) -> SurveyResponse:
    """An anonymous answer; `answer` says who gave it."""
    happy = rng.random() < p_satisfied
    satisfaction = rng.choice([4, 5, 5]) if happy else rng.choice([2, 3, 3])
    comment = ""
    if rng.random() < 0.3:
        # The remark from the city's generator (the figures stay as they were), its wording from the answer's own.
        remark = rng.choice(COMMENTS["good" if happy else "bad"])
        comment = survey_comment(survey.project, remark, random.Random(f"{survey.pk}-{i}"), happy)
    return SurveyResponse(
        survey=survey,
        satisfaction=satisfaction,
        happiness=min(10, max(0, satisfaction * 2 + rng.choice([-1, 0, 0, 1]))),
        comment=comment,
    )


def survey_comment(project: Project, remark: str, words: random.Random, happy: bool) -> str:
    """A resident's remark about this project: its work, its place, and how they say it."""
    code = project.category.code if project.category_id else ""
    kind = demo_stories.KINDS.get(code)
    work = kind.work if kind else "这个项目"
    community = project.community.name if project.community_id else ""
    estates = demo_stories.COMMUNITY_PLACES.get(community, ([], [community or "附近"], []))[1]
    if happy and code in WORK_PRAISE and words.random() < 0.4:
        remark = WORK_PRAISE[code]
    opening = words.choice([
        "我住在{e}，", "作为{c}的老住户，", "{e}的居民说一句，", "{c}", "我家在{e}，",
        "家住{e}，", "我是{e}的住户，", "在{e}住了十几年，",
    ])  # fmt: skip
    lead = words.choice(["", "最近", "这段时间", "说实话，", "总的来说，"])
    ending = words.choice(["。", "！", "，希望继续保持。" if happy else "，希望改进。"])
    about = f"{work}{words.choice(['', '这事', '项目'])}"
    return f"{opening.format(c=community or '附近', e=words.choice(estates))}{about}：{lead}{remark}{ending}"


def inspect(cycle, projects, evaluator, rng, quality) -> None:
    done = set(Inspection.objects.filter(cycle=cycle).values_list("project_id", flat=True))
    day = min(cycle.ends_on - timedelta(days=12), timezone.localdate())
    new = [
        Inspection(
            cycle=cycle,
            project=p,
            inspected_on=day,
            representatives="\n".join(rng.sample(REPRESENTATIVES, 3)),
            representative_count=3,
            score=Decimal(
                str(round(min(100, max(40, rng.gauss(ACCEPTANCE_MEAN[cycle.quarter] + 60 * quality[p.pk], 8))), 1))
            ),
            notes=f"现场查看{p.title}的施工质量与安全措施，听取{p.community.name if p.community_id else ''}居民代表意见。",
            signed_off_by=evaluator,
            signed_off_at=at(day, 16),
        )
        for p in projects
        if p.pk not in done
    ]
    Inspection.objects.bulk_create(new)
    items = []
    for inspection in Inspection.objects.filter(cycle=cycle, items__isnull=True):
        for label in CHECKLIST[:4]:
            failed = inspection.score < 60 and label == CHECKLIST[1]
            items.append(
                InspectionItem(
                    inspection=inspection, label=label, passed=not failed, note="护栏缺失两处" if failed else ""
                )
            )
    InspectionItem.objects.bulk_create(items)


def manual_indicator(cycle, project, rng) -> ManualIndicator | None:
    spec = MANUAL.get(project.category.code) if project.category_id else None
    if spec is None:
        return None
    name, unit, target, higher = spec
    actual = target * Decimal(str(round(rng.uniform(0.8, 1.05), 2))) if higher else Decimal(rng.choice([0, 1, 2, 3]))
    indicator = ManualIndicator(
        cycle=cycle,
        project=project,
        name=name,
        unit=unit,
        target=target,
        actual=actual.quantize(Decimal("0.01")),
        higher_is_better=higher,
    )
    indicator.score = indicator.normalised_score()  # bulk_create skips save()
    return indicator


def answer_some(orders, rng, share: float, on: date) -> None:
    for order in orders:
        official = User.objects.filter(department=order.department, role__in=[Role.OFFICIAL, Role.MANAGER]).first()
        if official is None:
            continue
        if rng.random() > share and order.project.code != SHOWCASE:  # the showcase's department always answers
            continue
        response = (
            f"已组织{order.project.title}施工单位逐项整改：补齐安全护栏{2 + order.pk % 8}处，清理现场遗留材料，"
            f"并于{on:%m月%d日}邀请居民代表复查。"
        )
        services.order_answer(order=order, by=official, response=response)
        RectificationOrder.objects.filter(pk=order.pk).update(answered_at=at(on))


def photograph_one(orders, evaluator) -> None:
    """The first answered order of the quarter needs photos: the evaluator's "before", the department's "after"."""
    order = next((o for o in sorted(orders, key=lambda o: o.project.code) if o.status == OrderStatus.ANSWERED), None)
    if order is None:
        return
    RectificationOrder.objects.filter(pk=order.pk).update(requires_after_photo=True)
    photos = [
        (PhotoKind.BEFORE, evaluator, "安全护栏断裂下垂，行人可能跌落", demo_images.railing("before")),
        (PhotoKind.AFTER, order.answered_by, "护栏已全部更换并加固", demo_images.railing("after")),
    ]
    for kind, by, caption, image in photos:
        services.order_photo_add(order=order, by=by, kind=kind, image=image, caption=caption)


def verify_earlier_orders(cycle, evaluator, rng) -> None:
    earlier = RectificationOrder.objects.open().filter(
        Q(cycle__year__lt=cycle.year) | Q(cycle__year=cycle.year, cycle__quarter__lt=cycle.quarter)
    )
    for order in earlier:
        # The showcase's first order was answered but not carried out: its page shows the accountability.
        showcase = (
            order.project.code == SHOWCASE
            and not RectificationOrder.objects.filter(project=order.project, status="escalated").exists()
        )
        rectified = not showcase and order.status == "answered" and rng.random() < 0.85
        note = (
            f"复查{order.project.title}，确认整改到位。"
            if rectified
            else f"复查{order.project.title}，发现整改未落实，安全隐患仍在。"
        )
        services.order_verify(order=order, cycle=cycle, by=evaluator, rectified=rectified, note=note)
