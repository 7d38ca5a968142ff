"""Recompute the rollups (feedback.rollups) from the reports: after a bulk load, a restore, or a change
of the counting rules. Idempotent; safe to run again at any time."""

import time

from django.core.management.base import BaseCommand

from feedback import rollups


class Command(BaseCommand):
    help = "Recompute every rollup row (day figures, handling-time histogram, hotspot cells) from the reports."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=20_000, help="Reports tallied per batch (default 20000).")

    def handle(self, *args, batch: int, **options):
        started = time.perf_counter()
        log = self.stdout.write if options["verbosity"] > 1 else None
        count = rollups.rebuild(batch=batch, log=log)
        self.stdout.write(f"rollups: {count} reports counted in {time.perf_counter() - started:.1f} s")
