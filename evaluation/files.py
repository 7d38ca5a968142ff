"""Who may see evaluation files: whoever the console shows the row to; the public only rectification photos.

Department reports: the department's officials, managers and supervisors, evaluators and the
city (`DepartmentReportAdmin`); acceptance photos: evaluators and the city (`InspectionAdmin`).
Rectification photos (before/after): anybody once the order's cycle is published and its project
public (`RectificationOrder.is_public`), else whom the console shows the order to.
"""

from civicworks.files import FileKind, console_may_view, register

from .models import DepartmentReport, InspectionPhoto, RectificationPhoto

register(FileKind(folder="evaluation", model=DepartmentReport, fields=("pdf", "xlsx"), may_view=console_may_view))
register(
    FileKind(
        folder="inspections",
        model=InspectionPhoto,
        fields=("image",),
        related=("inspection",),
        may_view=lambda request, photo: console_may_view(request, photo.inspection),
    )
)
register(
    FileKind(
        folder="rectification",
        model=RectificationPhoto,
        fields=("image",),
        related=("order__cycle", "order__project"),
        is_public=lambda photo: photo.order.is_public,
        may_view=lambda request, photo: console_may_view(request, photo.order),
    )
)
