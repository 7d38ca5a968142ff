"""Who may see participation photos: public with their need or co-creation vote, else the console."""

from civicworks.files import FileKind, console_may_view, register

from .models import DesignOption, Need

register(
    FileKind(
        folder="needs",
        model=Need,
        fields=("photo",),
        is_public=lambda need: not need.is_hidden,
        may_view=console_may_view,
    )
)
register(
    FileKind(
        folder="designs",
        model=DesignOption,
        fields=("image",),
        related=("cocreation__project",),
        is_public=lambda option: option.cocreation.project.is_public,
        may_view=lambda request, option: console_may_view(request, option.cocreation),
    )
)
