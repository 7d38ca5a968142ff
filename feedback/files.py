"""Who may see residents' photos: anybody while the report is public, else its handlers only.

The tracking page (the resident's key) shows a hidden report's photos through signed links
(`civicworks.files.granted_url`).
"""

from civicworks.files import FileKind, register

from .field.selectors import may_see_check
from .models import ReportPhoto, SiteCheck
from .services import may_handle

register(
    FileKind(
        folder="reports",
        model=ReportPhoto,
        fields=("image", "thumbnail"),
        related=("report",),
        is_public=lambda photo: not photo.report.is_hidden,
        may_view=lambda request, photo: may_handle(request.user, photo.report),
    )
)

# On-site checks are staff-only: whoever may see the checked report or project in the field, or
# its department in the console (never a public page, never a grant).
register(
    FileKind(
        folder="sitechecks",
        model=SiteCheck,
        fields=("photo",),
        related=("report", "project"),
        may_view=lambda request, check: may_see_check(request.user, check),
    )
)
