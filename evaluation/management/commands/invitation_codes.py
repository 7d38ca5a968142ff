"""Generate single-use invitation codes for a cycle's surveys and write them as CSV, for printing.

    manage.py invitation_codes 2026-q4 --count 200 --by evaluator [--project MX-2026-001 …] [--output codes.csv]

The same as the console's survey action "Generate invitation codes"; the codes are written once
(keep the file safe, like ballot papers).
"""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicworks.accounts.models import User
from evaluation import services
from evaluation.invitations import codes_csv
from evaluation.models import ReviewCycle, Survey


class Command(BaseCommand):
    help = gettext_lazy("Generate single-use invitation codes for a review cycle's surveys (CSV for printing).")

    def add_arguments(self, parser):
        parser.add_argument("cycle", help=gettext_lazy("The review cycle, for example 2026-q4."))
        parser.add_argument("--count", type=int, required=True, help=gettext_lazy("Codes per survey."))
        parser.add_argument("--by", required=True, help=gettext_lazy("User name of the evaluator."))
        parser.add_argument(
            "--project", action="append", default=[], help=gettext_lazy("Only this project (repeatable).")
        )
        parser.add_argument("--output", help=gettext_lazy("CSV file to write (default: standard output)."))

    def handle(self, *args, **options):
        match = re.fullmatch(r"(\d{4})-q([1-4])", options["cycle"].lower())
        cycle = match and ReviewCycle.objects.filter(year=int(match[1]), quarter=int(match[2])).first()
        if not cycle:
            raise CommandError(_("No review cycle %(cycle)s.") % {"cycle": options["cycle"]})
        by = User.objects.filter(username=options["by"], is_active=True).first()
        if by is None:
            raise CommandError(_("No active user %(name)s.") % {"name": options["by"]})
        surveys = Survey.objects.filter(cycle=cycle).select_related("project", "cycle").order_by("project__code")
        if options["project"]:
            surveys = surveys.filter(project__code__in=options["project"])
        codes = []
        try:
            with transaction.atomic():  # all surveys or none
                for survey in surveys:
                    codes += services.invitation_codes_create(survey=survey, count=options["count"], by=by)
        except (services.EvaluationError, PermissionDenied) as exc:
            raise CommandError(str(exc) or _("Only evaluators and city administrators may do this.")) from exc
        text = codes_csv(codes, lambda path: settings.CIVICWORKS_SITE_URL + path)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8-sig", newline="") as out:
                out.write(text)
        else:
            self.stdout.write(text, ending="")
