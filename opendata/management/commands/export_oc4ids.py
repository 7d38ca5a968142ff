"""Write the OC4IDS project package of every public project to a file (or - for stdout)."""

import json
from pathlib import Path
from urllib.parse import urljoin

from django.core.management.base import BaseCommand
from django.urls import reverse

from opendata.selectors import oc4ids_package


class Command(BaseCommand):
    help = "Write the OC4IDS 0.9.5 project package of every public project to FILE."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the JSON package; - writes to standard output.")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000/",
            help="The site's public address, for the package URI and document links.",
        )

    def handle(self, *args, file: str, base_url: str, **options):
        def absolute(path: str) -> str:
            return urljoin(base_url, path)

        package = oc4ids_package(uri=absolute(reverse("opendata-oc4ids")), absolute=absolute)
        if not package["projects"]:
            # OC4IDS requires at least one project per package; say so rather than fail silently.
            self.stderr.write("No public project yet: an empty package is not valid OC4IDS.")
        text = json.dumps(package, ensure_ascii=False, indent=2)
        if file == "-":
            self.stdout.write(text)
            return
        Path(file).write_text(text + "\n", encoding="utf-8")
        self.stdout.write(f"{len(package['projects'])} projects → {file}")
