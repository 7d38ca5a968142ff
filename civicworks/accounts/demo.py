"""One demo account per role. The passwords are for the demo city only."""

from allauth.account.models import EmailAddress

from .models import Role, User

# The department model, as the account knows it (the directory belongs to an app the core does not import).
Department = User._meta.get_field("department").related_model

DEMO_PASSWORD = "civic-demo-2026"  # noqa: S105 - printed on purpose: demo city only

# (username, role, full name, department name or None, organisation)
DEMO_USERS = [
    ("admin", Role.CITY_ADMIN, "陈志远", None, ""),
    ("official", Role.OFFICIAL, "王建国", "市住房和城乡建设局", ""),
    ("official2", Role.OFFICIAL, "李明华", "市城市管理局", ""),
    ("manager", Role.MANAGER, "张丽娟", "市住房和城乡建设局", ""),
    ("evaluator", Role.EVALUATOR, "赵雅琴", None, "锦川民意调查中心（第三方）"),
    ("supervisor", Role.SUPERVISOR, "刘德胜", "市住房和城乡建设局", ""),
    ("grid", Role.GRID_WORKER, "孙晓峰", "临江区住房和建设局", ""),
    ("observer", Role.OBSERVER, "周秀英", None, ""),
    ("resident", Role.RESIDENT, "吴海燕", None, ""),
    # Signed up, address not confirmed yet: may sign in, may not propose, support or vote.
    ("newcomer", Role.RESIDENT, "林小雨", None, ""),
]
UNCONFIRMED = {"newcomer"}


def confirmed_address(user: User, *, verified: bool = True) -> None:
    """The demo account's address as allauth keeps it, confirmed (residents may take part)."""
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"primary": True, "verified": verified})


def seed(*, options: dict, stdout) -> None:
    for username, role, full_name, department_name, organisation in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "last_name": full_name[0],
                "first_name": full_name[1:],
                "display_name": full_name if role in (Role.RESIDENT, Role.OBSERVER) else "",
                "email": f"{username}@jinchuan.example.cn",
                "department": Department.objects.get(name=department_name) if department_name else None,
                "organisation": organisation,
                "is_superuser": role == Role.CITY_ADMIN,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        confirmed_address(user, verified=username not in UNCONFIRMED)


def print_logins(stdout) -> None:
    stdout.write("\nDemo log-ins (demo city only) — password for all: " + DEMO_PASSWORD + "\n")
    for username, role, full_name, department_name, _organisation in DEMO_USERS:
        note = " (e-mail not confirmed yet)" if username in UNCONFIRMED else ""
        stdout.write(f"  {username:<11} {str(role.label):<24} {full_name} {department_name or ''}{note}\n")
