"""Demo data of this app, a step of `manage.py seed_demo` (after projects, accounts and feedback).

Idempotent on natural keys: need titles, usernames, the co-creation's project, reward names,
meeting titles, suggestion tracking codes. Uses the demo projects when they exist; the
pocket park of the co-creation vote is created (code MX-2026-KP01) when no demo project has
that category yet.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from civicworks.accounts.demo import confirmed_address
from civicworks.accounts.models import Role, User
from feedback.models import EventKind, Report, ReportEvent, ReportKind, ReportStatus, ServiceCategory
from projects import demo_stories
from projects.demo import SHOWCASE
from projects.models import Community, Department, Project, ProjectCategory, Stage

from .models import (
    ActionItem,
    ApplicationStatus,
    CoCreation,
    DesignOption,
    DesignVote,
    Meeting,
    Need,
    NeedProject,
    NeedStatus,
    NeedSupport,
    ObserverApplication,
    PointsEntry,
    RewardItem,
)
from .services import cocreation_record_winner, points_award

# (category code, community, title, text)
NEEDS = [
    (
        "elevator",
        "望江社区",
        "望江小区3栋加装电梯",
        "六层老楼住着二十多位七十岁以上老人，上下楼非常困难，希望加装电梯。",
    ),
    (
        "elevator",
        "柳荫社区",
        "柳荫里老楼能否统一加装电梯",
        "柳荫里8栋楼都是九十年代的老楼，居民意愿很高，希望统一规划。",
    ),
    (
        "pocket-park",
        "桂花社区",
        "桂花巷空地改成口袋公园",
        "巷口有一块闲置空地堆满杂物，希望改造成可以休息、遛娃的小公园。",
    ),
    ("pocket-park", "华阳社区", "华阳街缺少休闲绿地", "附近没有可以散步的地方，希望利用边角地建一个小游园。"),
    ("toilet", "青龙社区", "青龙菜市场旁公厕太旧", "公厕没有无障碍设施，气味大，希望改造。"),
    ("lighting", "滨河社区", "滨河步道晚上太黑", "滨河步道一段路灯不亮，夜跑的居民很担心安全。"),
    ("playground", "天府社区", "天府小区儿童游乐设施老化", "滑梯生锈，地面没有软垫，孩子玩耍有安全隐患。"),
    ("parking", "创业社区", "创业路非机动车停车难", "电动车乱停占道，希望增设非机动车停车棚和充电桩。"),
    ("elderly", "松林社区", "松林社区需要老年食堂", "独居老人多，希望社区开设价格实惠的老年助餐点。"),
    ("road", "锦绣社区", "锦绣巷路面坑洼", "下雨天积水严重，老人容易滑倒，希望尽快修缮。"),
    ("garden", "银杏社区", "银杏小区屋顶想做共享菜园", "楼顶平台闲置，居民愿意一起种菜、一起维护。"),
    ("renewal", "翠微社区", "翠微小区外墙脱落", "外墙瓷砖时有脱落，楼下行人有危险，希望列入老旧小区改造。"),
]
RESIDENTS = [
    "张桂兰",
    "李建华",
    "王秀英",
    "刘志强",
    "陈晓燕",
    "杨文博",
    "赵淑芬",
    "黄国平",
    "周雨桐",
    "吴海涛",
    "徐静",
    "孙立新",
]
# (username, name, community, why they applied)
OBSERVERS = [
    ("observer", "周秀英", "望江社区", "在望江社区住了三十年，退休后有时间，愿意为社区出一份力。"),
    ("guancha2", "郑明远", "青龙社区", "以前在机械厂做安全员，想帮街坊盯一盯身边工程的质量。"),
    ("guancha3", "冯丽萍", "桂花社区", "孩子在桂花小学上学，每天接送路过桂花巷，想把大家的意见及时反映上去。"),
]
REWARDS = [
    ("社区超市10元代金券", "在合作社区超市使用，有效期三个月。", 50, 200),
    ("环保帆布袋", "锦川市民心工程纪念帆布袋。", 30, 100),
    ("公园年卡", "市属公园全年免费入园。", 300, 20),
    ("家电免费维修一次", "社区志愿服务队上门维修小家电。", 80, None),
]
POCKET_PARK_CODE = "MX-2026-KP01"
DESIGNS = [
    ("林荫休憩方案", "保留{street}街角现有大树，增设座椅、廊架和健身步道，适合{c}的老人休憩。", "280000.00"),
    ("儿童乐园方案", "以儿童游乐为主，铺设塑胶地面，设置沙坑和攀爬设施，方便{estate}的孩子就近玩耍。", "350000.00"),
    ("共享花园方案", "建设{c}居民共管的花园和雨水花园，定期举办园艺活动，收集{street}沿线的雨水。", "190000.00"),
]
# The showcase project (projects.demo.SHOWCASE): the need it answers and its decided design vote.
SHOWCASE_NEED = (
    "renewal",
    "望江社区",
    "望江小区楼道破旧、雨污管网老化",
    "楼道墙皮脱落、扶手松动，雨天污水倒灌一楼，希望列入老旧小区综合改造。",
)
SHOWCASE_SUPPORTERS = 9
SHOWCASE_DESIGNS = [
    ("外立面保温加楼道翻新", "外墙做保温和防水，楼道重新粉刷、更换扶手和感应灯。", "1800000.00"),
    ("管网改造优先", "先彻底改造雨污分流管网和化粪池，楼道只做安全修补。", "1500000.00"),
]
# An observer's suggestions about their own community: (service category, text, the department's answer),
# with {street}, {estate}, {site} of the community (projects.demo_stories.COMMUNITY_PLACES).
SUGGESTIONS = [
    (
        "road",
        "建议在{street}靠近{site}的路口增设减速带，早晚上学时段车速太快。",
        "已在{street}路口施划减速标线并安装减速带。",
    ),
    ("other", "建议{estate}门口的社区公告栏增加电子屏，方便老人看通知。", "社区已在{estate}门口安装电子公告屏。"),
    ("garbage", "建议{estate}的垃圾分类点延长开放时间到晚上九点。", "{estate}垃圾分类点已延长开放至晚上九点。"),
    ("other", "建议在{street}的公交站增加遮阳棚。", "已协调公交公司在{street}站台加装遮阳棚。"),
    ("road", "建议{estate}门口增设无障碍坡道。", "{estate}门口无障碍坡道已建成。"),
    ("streetlight", "建议{street}到{site}的小路补装两盏路灯。", "已在{street}至{site}的小路补装路灯。"),
    ("greenery", "建议修剪{estate}里遮挡二楼窗户的香樟树。", "园林养护单位已修剪{estate}内的香樟树。"),
    ("street-vending", "建议在{site}附近设一个早市疏导点，把流动摊贩集中起来。", "已在{site}附近设置早市疏导点。"),
    ("public-toilet", "建议{site}旁的公厕延长开放时间。", "{site}旁公厕已调整为早六点至晚十一点开放。"),
    ("noise", "建议{site}周边的广场舞统一使用低音量音响。", "已与{site}周边的广场舞队约定音量和时间。"),
]


def _user(username: str, full_name: str, role: str = Role.RESIDENT) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"role": role, "last_name": full_name[0], "first_name": full_name[1:], "display_name": full_name,
                  "email": f"{username}@jinchuan.example.cn"},
    )  # fmt: skip
    if created:
        user.set_unusable_password()
        user.save()
        confirmed_address(user)
    return user


def _residents() -> list[User]:
    people = [_user(f"jumin{i + 1:02d}", name) for i, name in enumerate(RESIDENTS)]
    return people + list(User.objects.filter(username="resident"))


def _centre(community: Community, rng: random.Random) -> tuple[float, float]:
    ring = community.boundary["coordinates"][0]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    return rng.uniform(min(lats), max(lats)), rng.uniform(min(lngs), max(lngs))


def seed_needs(*, extra: int, rng: random.Random) -> list[Need]:
    residents = _residents()
    communities = {c.name: c for c in Community.objects.select_related("district")}
    categories = {c.code: c for c in ProjectCategory.objects.all()}
    rows = list(NEEDS) + [
        (code, community, f"{title}（{n + 2}）", text)
        for n, (code, community, title, text) in enumerate(rng.choice(NEEDS) for _ in range(extra))
    ]
    needs = []
    for i, (code, community_name, title, text) in enumerate(rows):
        community = communities[community_name]
        latitude, longitude = _centre(community, rng)
        need, _ = Need.objects.get_or_create(
            title=title,
            defaults={"author": residents[i % len(residents)], "category": categories[code], "text": text,
                      "latitude": latitude, "longitude": longitude, "district": community.district,
                      "community": community,
                      "created_at": timezone.now() - timedelta(days=rng.randint(20, 300))},
        )  # fmt: skip
        needs.append(need)
    supports = [
        NeedSupport(need=need, user=user, created_at=need.created_at + timedelta(days=rng.randint(1, 15)))
        for need in needs
        for user in rng.sample(residents, rng.randint(0, len(residents)))
        if user.pk != need.author_id
    ]
    NeedSupport.objects.bulk_create(supports, ignore_conflicts=True, batch_size=2000)
    return needs


def pocket_park() -> Project:
    existing = Project.objects.filter(category__code="pocket-park", is_public=True).order_by("code").first()
    if existing:
        return existing
    community = Community.objects.get(name="桂花社区")
    project, _ = Project.objects.get_or_create(
        code=POCKET_PARK_CODE,
        defaults={"title": "桂花巷口袋公园微更新", "category": ProjectCategory.objects.get(code="pocket-park"),
                  "district": community.district, "community": community, "latitude": 30.625, "longitude": 104.045,
                  "year": timezone.localdate().year, "stage": Stage.DESIGN, "percent_complete": 5,
                  "budget": Decimal("400000.00"), "lead_unit": Department.objects.get(name="市园林绿化局"),
                  "description": "利用桂花巷口闲置空地建设口袋公园，设计方案由居民投票选出。"},
    )  # fmt: skip
    return project


def link_needs(needs: list[Need]) -> int:
    """The first eight needs go to the first public project of their category and district, if any."""
    official = User.objects.filter(role=Role.OFFICIAL).first()
    linked = 0
    for need in needs[:8]:  # the rest stay open or get an answer
        project = (
            Project.objects.public()
            .filter(category=need.category_id, district=need.district_id)
            .order_by("-year", "code")
            .first()
        )
        if project is None:
            continue
        linked += NeedProject.objects.get_or_create(need=need, project=project, defaults={"linked_by": official})[1]
        Need.objects.filter(pk=need.pk).update(status=NeedStatus.ADOPTED)
    for _code, community, title, _text in NEEDS[8:10]:
        answer = f"已转交相关部门到{community}调研，“{title}”将在下一年度民心工程项目征集中统筹考虑。"
        Need.objects.filter(status=NeedStatus.OPEN, title=title).update(
            answer=answer,
            status=NeedStatus.ANSWERED,
            answered_by=official,
            answered_at=timezone.now() - timedelta(days=5),
        )
    return linked


def seed_cocreation(
    project: Project, rng: random.Random, designs=DESIGNS, opened_days_ago: int = 5, open_days: int = 14
) -> CoCreation:
    now = timezone.now()
    opens = now - timedelta(days=opened_days_ago)
    cocreation, _ = CoCreation.objects.get_or_create(
        project=project,
        defaults={"question": f"{project.title}：您最喜欢哪个设计方案？",
                  "opens_at": opens, "closes_at": opens + timedelta(days=open_days)},
    )  # fmt: skip
    community = project.community.name if project.community_id else ""
    streets, estates, _sites = demo_stories.COMMUNITY_PLACES.get(community, (["街角"], ["周边小区"], []))
    where = {"c": community, "street": streets[0], "estate": estates[0]}
    for order, (title, text, cost) in enumerate(designs):
        DesignOption.objects.get_or_create(
            cocreation=cocreation,
            title=title,
            defaults={"text": text.format(**where), "estimated_cost": Decimal(cost), "order": order},
        )
    options = list(cocreation.options.order_by("order"))
    voters = _residents()
    for user in voters:
        option = options[min(int(rng.triangular(0, len(options), 0)), len(options) - 1)]
        vote, created = DesignVote.objects.get_or_create(cocreation=cocreation, user=user, defaults={"option": option})
        points_award(user=user, rule="vote_cast", source_key=f"vote:{cocreation.pk}:{user.pk}")
    return cocreation


def seed_showcase(rng: random.Random) -> None:
    """The showcase project answers a need of its community, and its residents chose its design (vote closed)."""
    project = Project.objects.public().filter(code=SHOWCASE).select_related("community").first()
    if project is None or project.community is None:
        return
    category, community_name, title, text = SHOWCASE_NEED
    residents = _residents()
    need, _ = Need.objects.get_or_create(
        title=title,
        defaults={"author": residents[0], "category": ProjectCategory.objects.get(code=category), "text": text,
                  "latitude": float(project.latitude), "longitude": float(project.longitude),
                  "district_id": project.district_id, "community": project.community,
                  "status": NeedStatus.ADOPTED, "created_at": timezone.now() - timedelta(days=200)},
    )  # fmt: skip
    supports = [NeedSupport(need=need, user=user) for user in residents[1 : SHOWCASE_SUPPORTERS + 1]]
    NeedSupport.objects.bulk_create(supports, ignore_conflicts=True)
    official = User.objects.filter(role=Role.OFFICIAL, department=project.lead_unit_id).first()
    NeedProject.objects.get_or_create(need=need, project=project, defaults={"linked_by": official})
    cocreation = seed_cocreation(project, rng, designs=SHOWCASE_DESIGNS, opened_days_ago=40, open_days=14)
    cocreation_record_winner(cocreation=cocreation)


def seed_observers(rng: random.Random) -> list[User]:
    observers = []
    for username, full_name, community_name, motivation in OBSERVERS:
        user = _user(username, full_name, Role.OBSERVER)
        community = Community.objects.get(name=community_name)
        if not ObserverApplication.objects.filter(user=user).exists():
            ObserverApplication.objects.create(
                user=user, community=community, motivation=motivation,
                status=ApplicationStatus.APPROVED, decided_at=timezone.now() - timedelta(days=90),
                decided_by=User.objects.filter(role=Role.MANAGER).first(),
            )  # fmt: skip
        observers.append(user)
    applicant = User.objects.filter(username="jumin05").first()
    if applicant and not ObserverApplication.objects.filter(user=applicant).exists():
        ObserverApplication.objects.create(
            user=applicant, community=Community.objects.get(name="华阳社区"), motivation="想参与社区治理。"
        )
    return observers


def _suggestion(observer: User, number: int, when: datetime, order: int, community: Community):
    code = f"OBS{observer.pk:04d}{when:%y%m}{number:02d}"[:13]
    category_code, text, answer = SUGGESTIONS[order % len(SUGGESTIONS)]
    category = ServiceCategory.objects.filter(code=category_code).first()
    if category is None or Report.objects.filter(tracking_code=code).exists():
        return
    streets, estates, sites = demo_stories.COMMUNITY_PLACES.get(
        community.name, (["中心路"], ["中心小区"], ["中心广场"])
    )
    where = {"street": streets[order % len(streets)], "estate": estates[order % len(estates)],
             "site": sites[order % len(sites)]}  # fmt: skip
    report = Report.objects.create(
        tracking_code=code, kind=ReportKind.SUGGESTION, category=category, text=text.format(**where),
        district=community.district, community=community, reporter=observer, reporter_name=observer.public_name,
        status=ReportStatus.CLOSED, department=category.department or Department.objects.get(is_default_desk=True),
        submitted_at=when, dispatched_at=when + timedelta(minutes=5), accepted_at=when + timedelta(hours=3),
        resolved_at=when + timedelta(hours=30), closed_at=when + timedelta(hours=80),
        answer=f"感谢您的建议，{answer.format(**where)}",
    )  # fmt: skip
    steps = [(EventKind.SUBMITTED, 0), (EventKind.DISPATCHED, 5), (EventKind.ACCEPTED, 180),
             (EventKind.RESOLVED, 1800), (EventKind.CLOSED, 4800)]  # fmt: skip
    ReportEvent.objects.bulk_create(
        [ReportEvent(report=report, kind=kind, department=report.department, created_at=when + timedelta(minutes=m))
         for kind, m in steps]
    )  # fmt: skip
    points_award(user=observer, rule="suggestion_adopted", source_key=f"suggestion-adopted:{report.pk}")


def seed_suggestions(observers: list[User]) -> None:
    """Observer records: last month everyone met the quota; this month one is behind."""
    if not ServiceCategory.objects.exists():
        return
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    for index, observer in enumerate(observers):
        community = ObserverApplication.objects.filter(user=observer).first().community
        plan = [(last_month, 3 + index), (this_month, [4, 3, 1][index % 3])]
        order = 0  # each suggestion of an observer a different one
        for month, count in plan:
            for n in range(count):
                day = min(
                    month + timedelta(days=2 + 3 * n), today if month == this_month else month + timedelta(days=27)
                )
                when = timezone.make_aware(datetime.combine(day, time(9, 30)))
                if when < timezone.now() - timedelta(hours=80):
                    _suggestion(observer, n + (0 if month == this_month else 50), when, order, community)
                order += 1


def seed_rewards() -> None:
    for name, description, cost, stock in REWARDS:
        RewardItem.objects.get_or_create(name=name, defaults={"description": description, "cost": cost, "stock": stock})


def _first(category: str) -> tuple[str, Project | None]:
    """The city's first public project of a category, and the name to call it by in the minutes."""
    project = Project.objects.public().filter(category__code=category).order_by("code").first()
    return (f"“{project.title}”" if project else dict(CATEGORY_WORDS)[category]), project


CATEGORY_WORDS = [("elevator", "加装电梯项目"), ("pocket-park", "口袋公园项目"), ("renewal", "老旧小区改造项目"),
                  ("lighting", "路灯照明提升项目")]  # fmt: skip


def seed_meetings() -> None:
    """Last month's meeting (minutes published, some items done) and this month's, about named projects."""
    chair = Department.objects.get(name="市住房和城乡建设局")
    departments = {d.name: d for d in Department.objects.all()}
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=5)
    (elevator, lift), (park_name, park), (renewal, old), (lighting, lamps) = (_first(c) for c, _w in CATEGORY_WORDS)
    meetings = [
        (f"{last_month:%Y年%m月}民心工程联席会议", last_month, True,
         f"会议通报了{elevator}、{park_name}等项目进展，议定：一、加装电梯并联审批；二、统一施工围挡标准；"
         "三、及时回应居民诉求。",
         [(f"{elevator}并联审批，压缩至15个工作日", "市住房和城乡建设局", 10, lift),
          ("统一施工围挡和夜间施工公示标准", "市城市管理局", 20, None),
          (f"{park_name}设计方案公示并组织居民投票", "市园林绿化局", 40, park)]),
        (f"{today:%Y年%m月}民心工程联席会议", today.replace(day=1), False, "",
         [(f"{renewal}排查外墙空鼓脱落隐患", "市住房和城乡建设局", 25, old),
          (f"{lighting}补齐照明盲区", "市城市管理局", 12, lamps)]),
    ]  # fmt: skip
    for title, day, published, minutes, items in meetings:
        meeting, created = Meeting.objects.get_or_create(
            title=title,
            defaults={"date": day, "chair_department": chair, "minutes": minutes, "is_published": published,
                      "published_at": timezone.now() - timedelta(days=3) if published else None},
        )  # fmt: skip
        if not created:
            continue
        meeting.attending.set([departments[n] for n in ("市城市管理局", "市园林绿化局", "市交通运输局", "市民政局")])
        for text, owner, days, project in items:
            ActionItem.objects.create(
                meeting=meeting, text=text, owner_department=departments[owner], due_date=day + timedelta(days=days),
                project=project,
                done_at=timezone.now() - timedelta(days=1) if published and days <= 10 else None,
                outcome="已完成" if published and days <= 10 else "",
            )  # fmt: skip


@transaction.atomic
def seed(*, options: dict, stdout) -> None:
    rng = random.Random(20261128)  # noqa: S311 - demo data, reproducible
    extra = max(0, int(options.get("needs") or 0) - len(NEEDS))
    needs = seed_needs(extra=extra, rng=rng)
    park = pocket_park()
    linked = link_needs(needs)
    seed_cocreation(park, rng)
    seed_showcase(rng)
    observers = seed_observers(rng)
    seed_suggestions(observers)
    seed_rewards()
    seed_meetings()
    stdout.write(
        f"participation: {Need.objects.count()} needs ({linked} newly linked to projects), "
        f"{NeedSupport.objects.count()} supports, {DesignVote.objects.count()} votes, "
        f"{PointsEntry.objects.count()} points entries, {Meeting.objects.count()} meetings"
    )
