import time
from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Each step seeds one app's part of the demo city, in dependency order. A step is a module
# with `seed(*, options, stdout)`; it must be idempotent (natural keys, get_or_create).
STEPS = [
    "projects.demo",
    "civicworks.accounts.demo",
    "feedback.demo",
    "participation.demo",
    "evaluation.demo",
    "projects.demo_follows",
]


class Command(BaseCommand):
    help = _("Create (or complete) the demo city in Chinese. Safe to run again.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)  # argparse formats text, not a lazy translation (`--help` crashed)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        _ = gettext
        parser.add_argument("--projects", type=int, default=40, help=_("Number of projects."))
        parser.add_argument("--reports", type=int, default=600, help=_("Number of residents' reports."))
        parser.add_argument("--responses", type=int, default=300, help=_("Number of survey responses."))
        parser.add_argument("--seed", type=int, default=2026, help=_("Random seed, for a repeatable city."))
        parser.add_argument("--quiet-logins", action="store_true", help=_("Do not print the demo log-ins."))

    def handle(self, *args, **options):
        for step in STEPS:
            module = import_module(step)
            started = time.perf_counter()
            with transaction.atomic():
                module.seed(options=options, stdout=self.stdout)
            if options["verbosity"] >= 2:  # the benchmark records each step's time (bench/run.py)
                self.stdout.write(f"timing {step} {time.perf_counter() - started:.1f} s")
        if not options["quiet_logins"]:
            import_module("civicworks.accounts.demo").print_logins(self.stdout)
