"""The printable list of invitation codes (CSV), for the console action and the command."""

import csv
import io
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

from opendata.exports import neutralise

from .models import InvitationCode


def codes_csv(codes: Iterable[InvitationCode], absolute: Callable[[str], str]) -> str:
    """One row per code: the project, the code as printed and the survey link that fills it in.

    Text from the database is neutralised against spreadsheet formulas (the file is opened in a
    spreadsheet to print a mail merge).
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("project code"), _("project title"), _("survey"), _("invitation code"), _("link with the code")])
    for code in codes:
        survey = code.survey
        writer.writerow(
            [
                neutralise(survey.project.code),
                neutralise(survey.project.title),
                str(survey.cycle),
                code.printed,
                absolute(code.survey_link),
            ]
        )
    return out.getvalue()
