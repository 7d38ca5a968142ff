"""Who may see evaluation files: never the public; whoever the console shows the row to.

Department reports: the department's officials, managers and supervisors, evaluators and the
city (`DepartmentReportAdmin`); acceptance photos: evaluators and the city (`InspectionAdmin`).
"""

from civicworks.files import FileKind, console_may_view, register

from .models import DepartmentReport, InspectionPhoto

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
