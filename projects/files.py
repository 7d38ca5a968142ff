"""Who may see a project's files: progress photos are public with the project; vouchers are not.

Otherwise the console decides: a file is shown to whoever may open its row there
(department staff of the lead or co-organising units, evaluators, the city).
"""

from civicworks.files import FileKind, console_may_view, register

from .models import Expenditure, ProgressUpdate

register(
    FileKind(
        folder="progress",
        model=ProgressUpdate,
        fields=("photo",),
        related=("project",),
        is_public=lambda update: update.project.is_public,
        may_view=console_may_view,
    )
)
register(FileKind(folder="vouchers", model=Expenditure, fields=("attachment",), may_view=console_may_view))
