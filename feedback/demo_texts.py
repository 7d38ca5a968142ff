"""What the demo residents write and what the departments answer, composed from parts.

A report names a street, compound or site of its own community (projects.demo_stories.
COMMUNITY_PLACES), says what is wrong there the way a resident would, and how long it has
been so; a few thousand combinations per category keep a city of hundreds of reports from
repeating itself. Everything is drawn from the generator handed in, so a seed gives its city.
"""

import random

from projects.demo_stories import COMMUNITY_PLACES, KINDS

STREET, ESTATE, SITE = 0, 1, 2
# Where on a street, in a compound, at a site.
SPOTS = {
    STREET: ["{n}号门口", "{n}号对面", "与{other}交叉口", "公交站旁", "中段", "靠近{site}的一段"],
    ESTATE: ["{b}栋楼下", "{b}栋{u}单元门口", "北门", "南门车棚旁", "中间的小广场", "{b}栋和{b2}栋之间"],
    SITE: ["门口", "东侧", "后面的空地", "旁边"],
}
# (places the problem happens at, problem, what it does to people, what the department did) by category.
PROBLEMS = {
    "road": [
        (
            (STREET, ESTATE),
            "路面有一个大坑",
            ["雨天积水看不出深浅", "电动车经过很危险", "晚上已经有人摔过"],
            "已安排市政养护班组对{place}坑洞进行沥青修补",
        ),
        (
            (STREET,),
            "人行道砖松动翘起",
            ["老人容易绊倒", "一踩就溅一脚泥水", "推婴儿车过不去"],
            "已对{place}松动的人行道砖重新铺设",
        ),
        (
            (STREET, ESTATE),
            "井盖松动，车一压就哐当响",
            ["晚上吵得睡不着", "担心哪天翻过来伤人"],
            "已更换{place}松动井盖的井座并加装减震垫",
        ),
        (
            (STREET,),
            "沥青路面开裂，裂缝越来越宽",
            ["自行车轮子容易卡进去", "下雨后裂缝里全是水"],
            "已对{place}开裂路面进行灌缝处理",
        ),
        ((STREET, ESTATE), "雨水口被堵住了", ["一下雨就积水到脚踝", "积水发臭招蚊子"], "已疏通{place}雨水口并清掏淤泥"),
    ],
    "streetlight": [
        (
            (STREET, ESTATE),
            "一排路灯都不亮",
            ["晚上回家黑漆漆的", "老人晚上不敢出门", "孩子下晚自习很不安全"],
            "路灯维护单位已更换{place}老化线路，照明已恢复",
        ),
        ((STREET,), "路灯白天也亮着", ["太浪费电了"], "已调整{place}路灯控制器的开关时间"),
        (
            (STREET, ESTATE),
            "有一盏路灯一闪一闪的",
            ["晃得人眼睛难受", "像是线路有问题"],
            "已更换{place}故障灯具和镇流器",
        ),
        ((STREET,), "路灯杆被车撞歪了", ["随时可能倒下来", "下面还有小孩玩"], "已拆除{place}受损灯杆并更换新杆"),
    ],
    "garbage": [
        (
            (ESTATE, STREET),
            "垃圾桶满了没人清运",
            ["气味很大", "苍蝇老鼠都出来了", "垃圾都溢到路上了"],
            "环卫作业队已清运{place}的垃圾并增加清运频次",
        ),
        (
            (ESTATE, STREET),
            "有人乱倒装修垃圾",
            ["堆得比人还高", "把消防通道都堵了"],
            "已清运{place}的装修垃圾，并要求物业设置装修垃圾临时堆放点",
        ),
        (
            (SITE,),
            "垃圾中转点脏水横流",
            ["路过都要捂着鼻子", "夏天味道更重"],
            "已冲洗{place}垃圾中转点并修复渗滤液收集槽",
        ),
        (
            (ESTATE,),
            "分类垃圾桶被混着乱扔",
            ["分类等于白分", "督导员也不见人"],
            "已约谈{place}物业，恢复垃圾分类督导员早晚值守",
        ),
    ],
    "street-vending": [
        (
            (STREET, SITE),
            "流动摊贩占满人行道",
            ["行人只能走机动车道", "上学的孩子很危险"],
            "城管执法中队已到{place}劝导流动摊贩进入疏导点经营",
        ),
        (
            (STREET,),
            "烧烤店把桌子摆到路上",
            ["晚上又吵又呛", "车都开不过去"],
            "已责令{place}烧烤店收回外摆桌椅，并纳入夜间巡查",
        ),
        ((SITE, STREET), "水果摊占道经营", ["早高峰堵得走不动", "烂水果扔了一地"], "已劝导{place}水果摊退回店内经营"),
    ],
    "greenery": [
        (
            (STREET, ESTATE),
            "行道树被风吹倒一半",
            ["压着围墙", "挡住了半边路"],
            "园林养护人员已对{place}倒伏的行道树扶正加固",
        ),
        (
            (STREET, SITE),
            "绿化带里的草坪被车碾坏了",
            ["光秃秃一片", "一下雨全是泥"],
            "已对{place}受损草坪补植并设置护栏",
        ),
        (
            (ESTATE,),
            "大树枝丫伸进了窗户",
            ["屋里白天都要开灯", "刮风时敲得玻璃响"],
            "园林部门已对{place}的大树进行修剪",
        ),
        ((SITE, STREET), "枯树一直没人处理", ["树干已经开裂", "担心砸到行人"], "已移除{place}的枯树并补植新苗"),
    ],
    "public-toilet": [
        (
            (SITE,),
            "公厕没有纸也没有洗手液",
            ["地面很脏", "气味很大"],
            "{place}公厕已补充厕纸和洗手液，保洁调整为每两小时一次",
        ),
        ((SITE,), "公厕的无障碍门坏了", ["坐轮椅的老人进不去"], "已修复{place}公厕的无障碍门"),
        ((SITE,), "公厕晚上八点就锁门", ["附近摆摊的和夜跑的人都没地方上厕所"], "{place}公厕已调整为晚上十一点关门"),
        ((SITE,), "公厕水龙头一直漏水", ["地上全是积水，很滑"], "已更换{place}公厕漏水的水龙头"),
    ],
    "noise": [
        (
            (ESTATE, STREET),
            "工地晚上十一点还在施工",
            ["噪音很大", "孩子第二天还要上学"],
            "环境执法人员已到{place}核查，责令施工单位晚十点后停工",
        ),
        (
            (SITE, ESTATE),
            "广场舞音响声音太大",
            ["影响休息", "家里老人心脏不好"],
            "已与{place}广场舞队约定音量和结束时间",
        ),
        (
            (STREET,),
            "商铺门口大喇叭循环叫卖",
            ["从早到晚不停", "在家开着窗都听得清清楚楚"],
            "已责令{place}商铺停用外放喇叭",
        ),
        ((ESTATE,), "空调外机噪音很大", ["半夜嗡嗡响", "整栋楼都能听到"], "已督促{place}商户维修空调外机并加装隔音罩"),
    ],
    "other": [
        ((ESTATE, STREET), "能不能增加几张休息座椅", ["老人走一段路就要歇一歇"], "已在{place}增设四张休息座椅"),
        (
            (ESTATE,),
            "老旧小区改造什么时候开始",
            ["楼道墙皮都掉了", "大家都在等消息"],
            "{place}已列入明年老旧小区改造计划，方案将在社区公示",
        ),
        ((STREET, SITE), "能不能增设一个非机动车停放点", ["电动车到处乱停"], "已在{place}划设非机动车停放区"),
        ((ESTATE,), "能不能装几个快递柜", ["快递都堆在门卫室"], "已协调邮政部门在{place}安装智能快递柜"),
    ],
}
SINCE = ["", "已经一个多星期了，", "前天开始的，", "这几天越来越严重，", "反映过一次还没解决，", "上周就这样了，"]
ASK = ["希望尽快处理。", "麻烦派人来看看。", "请相关部门处理一下，谢谢！", "盼早日解决。", "希望能尽快答复。", ""]
PREFIX = ["", "", "您好，", "反映个问题：", "我是{estate}的住户，", "每天上下班路过，"]
QUESTION_PREFIX = ["请问", "想问一下，", "您好，请问"]
# Praise (ReportKind.PRAISE): what was put right, by category.
FIXED = {
    "road": "的坑洼路面已经补好了", "streetlight": "的路灯修好了，晚上亮堂多了",
    "garbage": "的垃圾清运得很干净", "street-vending": "的占道摊点整治以后通畅多了",
    "greenery": "倒伏的树已经扶正加固了", "public-toilet": "的公厕改造后干净又方便",
    "noise": "的夜间施工噪音没有了", "other": "新增的休息座椅很实用",
}  # fmt: skip
THANKS = ["感谢工作人员！", "处理很及时，点个赞。", "效率很高，谢谢！", "给你们点赞！", "居民们都很满意。"]
# A report about a project's site: what residents see of the works (category → text).
ABOUT_WORKS = {
    "noise": [
        "{estate}{b}栋旁的{work}工地{when}还在{what}，吵得睡不着。",
        "{work}施工{when}在{estate}{b}栋{what}，能不能调整一下时间？",
    ],
    "road": [
        "{work}施工车辆把{street}{n}号门口的路面压坏了，坑坑洼洼。",
        "{work}施工挖开的{street}{n}号附近路面一直没恢复，出行不便。",
    ],
    "garbage": [
        "{work}工地的建筑垃圾堆在{estate}{b}栋门口好几天了。",
        "{work}施工的渣土车把{street}{n}号一带弄得全是泥。",
    ],
    "other": [
        "请问{estate}{b}栋的{work}什么时候能完工？",
        "{work}的公示牌上没写联系电话，{estate}{b}栋的居民有问题找谁？",
    ],
    "greenery": ["{work}施工把{estate}{b}栋前的绿化带挖了，说好的补种一直没动静。"],
    "streetlight": ["{work}施工后{street}{n}号一带的路灯一直没恢复，晚上很黑。"],
}
# What the lead unit did about it, by category.
WORKS_FIX = {
    "noise": "已约谈{place}{work}施工单位，夜间和午休时间停止高噪声作业",
    "road": "已要求{work}施工单位修复{place}受损路面并设置车辆冲洗点",
    "garbage": "已督促{work}施工单位清运{place}的建筑垃圾并覆盖渣土",
    "other": "{place}{work}预计按计划完工，公示牌已补充项目负责人电话",
    "greenery": "{work}施工单位已在{place}补种绿化",
    "streetlight": "已协调{work}施工单位恢复{place}的路灯供电",
}
WHEN = ["晚上十点多", "早上六点不到", "中午午休时间", "周末一大早"]
WHAT = ["切割钢筋", "用电锤打墙", "用破碎锤破路面", "搅拌混凝土"]
CLOSING = ["感谢您的反映。", "请您监督。", "如仍有问题请再次反映。", "感谢您对城市管理的支持。"]


def places_of(community: str) -> tuple[list[str], list[str], list[str]]:
    return COMMUNITY_PLACES.get(community, (["中心路"], ["中心小区"], ["中心广场"]))


def place_names() -> dict[str, str]:
    """Every named place → its community."""
    return {name: community for community, kinds in COMMUNITY_PLACES.items() for names in kinds for name in names}


def _spot(rng: random.Random, kind: int, places) -> str:
    streets, _estates, sites = places
    b, b2 = rng.sample(range(1, 25), 2)
    other = rng.choice(streets)
    return rng.choice(SPOTS[kind]).format(n=rng.randint(1, 180), b=b, b2=b2, u=rng.randint(1, 4), other=other,
                                          site=rng.choice(sites))  # fmt: skip


def report_text(rng: random.Random, category: str, community: str, praise: bool = False) -> tuple[str, str, str]:
    """(text, place, what the department did) of a resident's report in `community`: a problem of `category` at a place of it."""
    places = places_of(community)
    kinds, problem, effects, fix = rng.choice(PROBLEMS.get(category, PROBLEMS["other"]))
    kind = rng.choice(kinds)
    place = rng.choice(places[kind])
    spot = place + _spot(rng, kind, places).replace("与" + place + "交叉口", "东头")
    if praise:
        return f"{spot}{FIXED.get(category, FIXED['other'])}，{rng.choice(THANKS)}", place, fix.format(place=place)
    if category == "other":
        at = place if "改造" in problem else spot
        return f"{rng.choice(QUESTION_PREFIX)}{at}{problem}？{rng.choice(effects)}。", place, fix.format(place=place)
    prefix = rng.choice(PREFIX).format(estate=rng.choice(places[ESTATE]))
    return (
        f"{prefix}{spot}{problem}，{rng.choice(SINCE)}{rng.choice(effects)}。{rng.choice(ASK)}",
        place,
        fix.format(place=place),
    )


def works_text(
    rng: random.Random, category: str, community: str, project_kind: str, index: int
) -> tuple[str, str, str]:
    """(text, place, what the department did) of a report about a project's works; other categories: an ordinary report."""
    templates = ABOUT_WORKS.get(category)
    if not templates or project_kind not in KINDS:
        return report_text(rng, category, community)
    streets, estates, _sites = places_of(community)
    estate, street, work = rng.choice(estates), rng.choice(streets), KINDS[project_kind].work
    text = rng.choice(templates).format(
        estate=estate, street=street, work=work, when=rng.choice(WHEN), what=rng.choice(WHAT),
        b=rng.randint(1, 24), n=rng.randint(1, 120),
    )  # fmt: skip
    place = estate if estate in text else street
    return text + (rng.choice(ASK) if index % 2 else ""), place, WORKS_FIX[category].format(place=place, work=work)


def answer(rng: random.Random, fix: str) -> str:
    return f"{rng.choice(['您好，', '', '经现场核实，'])}{fix}，{rng.choice(CLOSING)}"


# On-site checks (现场核查) of the grid workers: what they saw and did, by category.
CHECKS = {
    "road": "已放置警示锥桶，量得破损处约{a}厘米宽，等待住建部门修补。",
    "streetlight": "共涉及{b}盏路灯，已拍照并联系维护单位，初步判断为线路老化。",
    "garbage": "转角处仍有{b}袋垃圾，已提醒物业今天下班前清理完毕。",
    "street-vending": "{b}处摊位已劝离，沿街店铺承诺不再占道，明早再来复查。",
    "greenery": "已拉警戒线，树干有约{a}厘米裂缝，已上报园林部门。",
    "public-toilet": "已通知公厕管理员，{b}个厕位需要维修，已报修。",
    "noise": "已与反映人电话沟通，告知责任方晚十点后停止作业，今晚再来回访。",
    "other": "周边{b}户居民都有同样诉求，已记录并转交社区研究。",
}


def site_check_note(category: str, place: str, text: str, number: int) -> str:
    """What a grid worker found at `place` about the resident's `text`: the problem it names, confirmed."""
    problems = [problem for _kinds, problem, _effects, _fix in PROBLEMS.get(category, [])]
    found = next((p for p in problems if p in text), "")
    seen = f"居民反映的“{found}”属实，" if found else "现场情况与反映一致，"
    return f"到{place}现场查看，{seen}" + CHECKS.get(category, CHECKS["other"]).format(
        a=30 + 7 * number, b=2 + number % 5
    )
