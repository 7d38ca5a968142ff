"""The demo city 锦川市 (a fictional city): districts, communities, departments, categories.

Projects are added further down by `seed_projects`; everything is keyed on natural keys
so running the seed again completes the city instead of duplicating it.
"""

from .models import Community, Department, District, ProjectCategory

CITY_NAME = "锦川市"

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
# (name, parent name or None, e-mail local part, default desk)
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
                "parent": Department.objects.get(name=parent_name) if parent_name else None,
                "dispatch_email": f"{mailbox}@jinchuan.example.cn",
                "is_default_desk": default_desk,
            },
        )
    for code, name in CATEGORIES:
        ProjectCategory.objects.update_or_create(code=code, defaults={"name": name})


def seed(*, options: dict, stdout) -> None:
    seed_directory()
    stdout.write(f"{CITY_NAME}: {District.objects.count()} districts, {Department.objects.count()} departments")
