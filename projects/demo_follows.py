"""Demo step after the accounts and the other apps: the demo residents follow projects and
have a few notifications to look at (some read, some not), all made through `notify`.

Idempotent: follows are unique, and each notification's key is its event's, so a second run
adds nothing.
"""

from django.utils import timezone

from civicworks.accounts.models import Role, User
from civicworks.notifications.models import Notification

from . import services
from .models import Project


def seed(*, options: dict, stdout) -> None:
    residents = list(
        User.objects.filter(username__in=["resident", "observer"], role__in=[Role.RESIDENT, Role.OBSERVER])
    )
    projects = list(Project.objects.public().exclude(community=None).order_by("code")[:3])
    if not residents or not projects:
        return
    for user in residents:
        for project in projects[:2]:
            services.follow(user=user, project=project)
        services.follow(user=user, community=projects[2].community)
    for project in projects:
        # The latest progress update of each followed project, told as when it was posted.
        update = project.updates.order_by("-created_at").first()
        if update is not None:
            services.tell_followers(
                project,
                kind="project.progress",
                key=f"project.progress:{update.pk}",
                context={"project": project, "update": update, "stage": update.get_stage_display()},
            )
    # The older half read already: the list shows both.
    mine = Notification.objects.filter(user__in=residents, read_at=None).order_by("created_at", "id")
    older = list(mine.values_list("pk", flat=True))[: mine.count() // 2]
    Notification.objects.filter(pk__in=older).update(read_at=timezone.now())
    stdout.write(
        f"follows: {sum(user.follows.count() for user in residents)}, notifications to residents: "
        f"{Notification.objects.filter(user__in=residents).count()}"
    )
