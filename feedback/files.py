"""Who may see residents' photos: anybody while the report is public, else its handlers only.

The tracking page (the resident's key) shows a hidden report's photos through signed links
(`civicworks.files.granted_url`).
"""

from civicworks.files import FileKind, register

from .models import ReportPhoto
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
