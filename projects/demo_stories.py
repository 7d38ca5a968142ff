"""What each demo project is about, told in its own words: its place, its work items, its payments.

A project's profile (the compound, street and site of its community it works on, how much of
it) is drawn from the project's community and index alone, so the description written at
creation, the progress updates and the payments all name the same buildings and figures.
"""

import random
from dataclasses import dataclass
from decimal import Decimal

# Streets, residential compounds and sites (markets, parks, schools) of each community of 锦川市.
# Every name belongs to one community only: a text that names it is placed in that community.
COMMUNITY_PLACES = {
    "望江社区": (["望江路", "江畔巷", "临江东路"], ["望江小区", "江景苑", "水务宿舍"], ["望江菜市场", "望江小学"]),
    "柳荫社区": (["柳荫街", "杨柳巷", "河西路"], ["柳荫里", "柳岸花园", "纺织厂宿舍"], ["柳荫农贸市场", "柳荫幼儿园"]),
    "滨河社区": (["滨河路", "沿江北街", "渔家巷"], ["滨河苑", "滨河新村", "航运宿舍"], ["滨河公园", "滨河步道"]),
    "青龙社区": (["青龙巷", "青龙街", "龙潭路"], ["青龙小区", "龙湾花园", "机械厂宿舍"], ["青龙菜市场", "青龙中学"]),
    "松林社区": (
        ["松林路", "松柏巷", "林荫北路"],
        ["松林小区", "松鹤苑", "林业局宿舍"],
        ["松林公园", "松林卫生服务站"],
    ),
    "翠微社区": (["翠微路", "翠屏街", "微山巷"], ["翠微小区", "翠湖苑", "邮电宿舍"], ["翠微广场", "翠微小学"]),
    "锦绣社区": (["锦绣巷", "锦华大道", "织锦街"], ["锦绣花园", "锦绣新村", "丝绸厂宿舍"], ["锦绣广场", "锦华体育场"]),
    "华阳社区": (["华阳街", "朝阳路", "华兴巷"], ["华阳小区", "阳光苑", "供电局宿舍"], ["华阳农贸市场", "华阳公园"]),
    "桂花社区": (["桂花巷", "金桂路", "丹桂街"], ["桂花苑", "桂花新村", "桂湖小区"], ["桂花菜市场", "桂花小学"]),
    "创业社区": (["创业路", "科创街", "孵化园路"], ["创业小区", "软件园公寓", "创新家园"], ["创业广场", "高新二小"]),
    "天府社区": (["天府大道", "天府二街", "府城巷"], ["天府小区", "天府花园", "天府新居"], ["天府公园", "天府地铁站"]),
    "银杏社区": (["银杏路", "杏林巷", "银杏北街"], ["银杏小区", "杏林苑", "银杏家园"], ["银杏广场", "银杏幼儿园"]),
}

DESIGNER, TENDER_AGENT, SUPERVISOR = "锦川城建设计院", "锦川建设工程招标代理有限公司", "锦川工程监理咨询有限公司"
BUILDER, MUNICIPAL, GARDENS = "锦川市第一建筑工程有限公司", "锦川市政工程有限公司", "蜀锦园林绿化工程有限公司"


@dataclass(frozen=True)
class Kind:
    """One project category's story: its work, its quantity, its work items in order, its contracts."""

    work: str  # what residents call it, e.g. 加装电梯
    quantity: tuple[int, int]  # drawn once per project
    scope: str  # the plan, with {estate} {street} {site} {buildings} {n}
    items: list[str]  # work items in the order they are done
    done: str  # the figure of work done: {k} of {n}
    design_change: str  # what residents changed in the design
    result: str  # what the finished work gives
    suspended: str  # why it stopped
    cancelled: str  # why residents dropped it
    contractor: str
    payments: tuple[tuple[str, str], tuple[str, str], str]  # (purpose, payee) ×2, final settlement purpose
    where: str = "{estate}"  # the site of the works


KINDS = {
    "elevator": Kind(
        "加装电梯",
        (3, 8),
        "为{estate}{buildings}等{n}个单元加装电梯",
        ["井道基础开挖和管线迁改", "钢结构井道吊装", "导轨和轿厢安装", "连廊和外装饰施工", "电梯调试和特种设备检验"],
        "{n}部电梯中已有{k}部完成井道吊装",
        "根据一楼住户意见把连廊改到楼梯间平台，减少对采光的影响",
        "{n}部电梯取得特种设备使用登记证，老人不用再爬楼",
        "一楼住户对补偿方案有异议，社区正在组织协商",
        "部分单元居民出资意愿未达到三分之二",
        "锦川电梯安装有限公司",
        (
            ("{estate}加装电梯{n}部设备采购首付款（30%）", "锦川电梯安装有限公司"),
            ("{estate}加装电梯井道及钢结构工程进度款", BUILDER),
            "{estate}加装电梯工程竣工结算款",
        ),
    ),  # fmt: skip
    "toilet": Kind(
        "公厕改造",
        (10, 24),
        "将{site}旁公厕改造为{n}个厕位的三类以上公厕，增设第三卫生间和母婴室",
        [
            "旧厕拆除和化粪池清掏",
            "主体结构和给排水改造",
            "墙地面铺贴和隔断安装",
            "无障碍设施和除臭设备安装",
            "绿化和标识完善",
        ],
        "{n}个厕位已完成{k}个",
        "按居民建议把女厕厕位比例提高到男厕的1.5倍",
        "{n}个厕位和第三卫生间全天开放，配有专职保洁员",
        "化粪池迁移需占用的管线未迁改完成",
        "选址与周边住户意见分歧较大",
        "锦川建筑装饰工程有限公司",
        (
            ("{site}公厕主体改造工程预付款", "锦川建筑装饰工程有限公司"),
            ("{site}公厕除臭及无障碍设备采购款", "锦川环卫设备有限公司"),
            "{site}公厕改造工程竣工结算款",
        ),
        where="{site}",
    ),  # fmt: skip
    "playground": Kind(
        "儿童游乐场",
        (300, 900),
        "在{estate}中心空地建设约{n}平方米的儿童游乐场",
        ["场地平整和排水", "基础浇筑", "游乐设施安装", "塑胶安全地垫铺设", "家长休息区和围栏施工"],
        "约{n}平方米场地中已铺设{k}平方米安全地垫",
        "应家长要求增设了适合三岁以下幼儿的低龄游戏区",
        "{n}平方米游乐场开放，设施通过安全检测",
        "游乐设施到货检测不合格，退货重新采购",
        "场地下方发现燃气管道，无法满足安全距离",
        "锦川游乐设备有限公司",
        (
            ("{estate}儿童游乐设施采购预付款", "锦川游乐设备有限公司"),
            ("{estate}游乐场地坪及安全地垫工程进度款", GARDENS),
            "{estate}儿童游乐场工程竣工结算款",
        ),
    ),  # fmt: skip
    "pocket-park": Kind(
        "口袋公园",
        (1200, 4000),
        "利用{street}街角闲置地块建设约{n}平方米口袋公园",
        ["场地清表和土方", "园路和小广场铺装", "乔木和地被种植", "座椅、廊架和照明安装", "雨水花园和标识施工"],
        "约{n}平方米中已完成{k}平方米铺装和种植",
        "按居民投票结果保留了现有的三棵老黄葛树",
        "{n}平方米口袋公园向市民开放，新增座椅和夜间照明",
        "地块权属手续需补办，暂停施工",
        "地块被纳入片区整体规划，另行安排",
        GARDENS,
        (
            ("{street}口袋公园苗木采购款", GARDENS),
            ("{street}口袋公园园路铺装及小品工程进度款", GARDENS),
            "{street}口袋公园工程竣工结算款",
        ),
        where="{street}",
    ),  # fmt: skip
    "garden": Kind(
        "共享菜园",
        (20, 60),
        "把{estate}楼间荒地改造为{n}块可认领的共享菜地",
        ["杂物清运和土壤改良", "菜畦划分和步道铺设", "滴灌和雨水收集安装", "工具房和堆肥箱搭建", "认领公示和种植培训"],
        "{n}块菜地中已整理好{k}块",
        "应居民要求预留了四块无障碍抬高种植池，方便轮椅老人",
        "{n}块菜地全部被居民认领，志愿者轮流管护",
        "雨季场地积水，需先完善排水",
        "楼间荒地被确定为消防通道，不能占用",
        GARDENS,
        (
            ("{estate}共享菜园土壤改良及菜畦施工款", GARDENS),
            ("{estate}共享菜园滴灌设备采购款", "锦川节水灌溉设备有限公司"),
            "{estate}共享菜园工程结算款",
        ),
    ),  # fmt: skip
    "lighting": Kind(
        "路灯改造",
        (40, 160),
        "更换{street}及周边背街小巷老旧路灯{n}盏，补齐照明盲区",
        ["线路勘查和灯位复核", "旧灯杆拆除", "电缆敷设和基础浇筑", "LED灯具和灯杆安装", "智能控制箱调试"],
        "{n}盏路灯中已更换{k}盏",
        "按居民意见把灯位避开卧室窗户，并调低了色温",
        "{n}盏LED路灯亮灯，亮灯率100%，每年节电约四成",
        "供电线路迁改需等待电力部门排期",
        "所在路段将随道路整体改造一并实施",
        "锦川照明工程有限公司",
        (
            ("{street}路灯LED灯具及灯杆采购款", "锦川照明工程有限公司"),
            ("{street}路灯电缆敷设及安装工程进度款", MUNICIPAL),
            "{street}路灯照明提升工程结算款",
        ),
        where="{street}",
    ),  # fmt: skip
    "renewal": Kind(
        "老旧小区改造",
        (8, 24),
        "对{estate}{n}栋住宅实施雨污分流、外墙保温、楼道和消防设施改造",
        ["雨污分流管网开挖", "化粪池和管道更换", "外墙保温和防水施工", "楼道翻新和扶手更换", "消防设施和停车位完善"],
        "{n}栋楼中已有{k}栋完成外立面改造",
        "根据居民议事会意见把晾衣架改为统一的可收折式",
        "{n}栋楼完成改造，雨天不再倒灌，楼道和外立面焕然一新",
        "雨污管网与市政接口标高需重新设计",
        "纳入片区城市更新统一实施",
        BUILDER,
        (
            ("{estate}雨污分流管网改造工程进度款", MUNICIPAL),
            ("二期{estate}外立面保温及楼道改造工程进度款", BUILDER),
            "{estate}综合改造工程竣工结算款",
        ),
    ),  # fmt: skip
    "road": Kind(
        "道路修缮",
        (600, 2400),
        "修缮{street}及相连小巷约{n}米路面和人行道，整治积水点",
        [
            "交通导改和围挡",
            "破损路面铣刨",
            "雨水管和收水井改造",
            "沥青摊铺和人行道铺装",
            "标线施划和非机动车停放区设置",
        ],
        "约{n}米路面中已完成{k}米",
        "按沿街商户意见分段半幅施工，保证店铺出入",
        "约{n}米路面修缮完成，原来的三处积水点不再积水",
        "地下燃气管道需先行更换",
        "道路将纳入地铁施工后统一恢复",
        MUNICIPAL,
        (
            ("{street}道路修缮沥青及材料采购款", MUNICIPAL),
            ("{street}道路修缮及排水改造工程进度款", MUNICIPAL),
            "{street}道路修缮工程竣工结算款",
        ),
        where="{street}",
    ),  # fmt: skip
    "elderly": Kind(
        "养老服务站",
        (300, 800),
        "在{estate}底商改建约{n}平方米嵌入式社区养老服务站",
        ["室内拆改和消防改造", "适老化装修", "助餐厨房建设", "康复和日间照料设备安装", "运营机构进驻和试运营"],
        "约{n}平方米中已完成{k}平方米装修",
        "根据老人们的意见把助餐点放在一楼并加宽了走廊",
        "{n}平方米服务站开放，每天提供助餐和日间照料",
        "房屋产权单位调整租赁条件，需重新签约",
        "选址房屋检测为危房，另行选址",
        BUILDER,
        (
            ("{estate}养老服务站适老化装修工程进度款", "锦川建筑装饰工程有限公司"),
            ("{estate}养老服务站康复及助餐设备采购款", "锦川康养设备有限公司"),
            "{estate}养老服务站工程结算款",
        ),
    ),  # fmt: skip
    "parking": Kind(
        "停车场改造",
        (60, 240),
        "利用{street}边角地和{estate}内部空地增设{n}个停车位和充电桩",
        [
            "场地清理和管线探测",
            "基层和透水铺装施工",
            "车位划线和车挡安装",
            "充电桩安装和电力增容",
            "智能道闸和收费系统调试",
        ],
        "{n}个车位中已建成{k}个",
        "按居民意见保留了一条消防通道并设置了非机动车棚",
        "新增{n}个车位和充电桩投入使用，路边乱停明显减少",
        "电力增容方案需供电部门重新审批",
        "部分居民反对占用绿地，项目取消",
        MUNICIPAL,
        (
            ("{street}停车场透水铺装工程进度款", MUNICIPAL),
            ("{estate}停车场充电桩及智能道闸采购款", "锦川智慧停车科技有限公司"),
            "{street}停车设施改造工程结算款",
        ),
        where="{street}",
    ),  # fmt: skip
}


@dataclass(frozen=True)
class Profile:
    community: str
    estate: str
    street: str
    site: str
    buildings: str
    n: int

    def fill(self, text: str, **extra) -> str:
        values = {"c": self.community, "estate": self.estate, "street": self.street, "site": self.site}
        return text.format(**values, buildings=self.buildings, n=self.n, **extra)


def profile(kind: str, community: str, index: int) -> Profile:
    """The same profile for the same project, whatever was drawn before it."""
    rng = random.Random(f"{community}-{index}")  # noqa: S311 — demo data
    streets, estates, sites = COMMUNITY_PLACES.get(community, (["中心路"], ["中心小区"], ["中心广场"]))
    numbers = sorted(rng.sample(range(1, 19), 3))
    return Profile(
        community=community,
        estate=rng.choice(estates),
        street=rng.choice(streets),
        site=rng.choice(sites),
        buildings="、".join(f"{b}栋" for b in numbers),
        n=rng.randint(*KINDS[kind].quantity) if kind in KINDS else 1,
    )


def description(kind: str, place: Profile, general: str) -> str:
    return f"{place.fill(KINDS[kind].scope)}。{general}" if kind in KINDS else general


def _items_done(kind: Kind, percent: int) -> tuple[list[str], str]:
    """The work items finished at `percent` (of the building work, 30 %–95 %) and the one under way."""
    share = max(0.0, min(1.0, (percent - 30) / 65))
    done = max(1, int(share * len(kind.items))) if percent > 30 else 0
    return kind.items[:done], kind.items[min(done, len(kind.items) - 1)]


def update_text(code: str, place: Profile, stage: str, percent: int, money: dict) -> str:
    """One progress update of the project's story, with the figures of its stage and percent."""
    kind = KINDS[code]
    done, current = _items_done(kind, percent)
    k = place.n if stage == "acceptance" else max(1, round(place.n * max(0, percent - 30) / 65))
    texts = {
        "approved": "{title}立项批复，总投资{budget}万元，资金来源为{funding}；计划" + kind.scope + "。",
        "design": "{c}"
        + kind.work
        + "设计方案在社区公示栏和网上公示{days}天，收到居民意见{opinions}条，"
        + kind.design_change
        + "。",
        "tendering": kind.work
        + "施工招标完成，"
        + kind.contractor
        + "中标，中标价{bid}万元，施工单位正在办理进场手续。",
        "construction-start": kind.contractor
        + "已进场，{where}围挡和安全文明施工措施到位，开始"
        + kind.items[0]
        + "，总体进度{percent}%。",
        "construction": ("、".join(done) + "已完成，" if done else kind.items[0] + "基本完成，")
        + "正在"
        + current
        + "，"
        + kind.done
        + "，总体进度{percent}%。",
        "acceptance": "{where}"
        + kind.work
        + "工程全部完工，最后一项"
        + kind.items[-1]
        + "已完成，正在组织{c}居民代表和监理单位现场验收。",
        "completed": "{title}通过竣工验收，" + kind.result + "。",
        "suspended": kind.suspended + "，" + current + "暂停，已完成{percent}%，复工时间将另行公告。",
        "cancelled": "经{c}居民议事会协商，因" + kind.cancelled + "，项目取消，已拨资金调整至其他民生项目。",
    }
    return place.fill(texts[stage], k=k, percent=percent, where=place.fill(kind.where), **money)


def payments(code: str, place: Profile, stage: str) -> list[tuple[str, str, Decimal]]:
    """(purpose, payee, weight) of the payments made by `stage`, in the order they were made."""
    kind = KINDS[code]
    (first, first_payee), (second, second_payee), settlement = kind.payments
    every = [
        (f"{place.community}{kind.work}勘察设计费", DESIGNER, Decimal("0.06")),
        (f"{place.community}{kind.work}施工招标代理服务费", TENDER_AGENT, Decimal("0.01")),
        (place.fill(first), first_payee, Decimal("0.35")),
        (place.fill(second), second_payee, Decimal("0.40")),
        (f"{place.community}{kind.work}工程监理费", SUPERVISOR, Decimal("0.03")),
        (place.fill(settlement), kind.contractor, Decimal("0.15")),
    ]
    count = {"tendering": 2, "construction": 4, "suspended": 4, "acceptance": 5, "completed": 6}.get(stage, 1)
    return every[:count]
