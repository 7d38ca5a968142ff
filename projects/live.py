"""The project page's live fragment (stage, percent, latest updates), polled by static/js/live.js.

The version is one indexed query run on every poll; the fragment renders only when it changed
(civicworks.live). It repeats markup the page renders on load, so the page stays plain and
current on reload without JavaScript.
"""

from django.shortcuts import get_object_or_404, render

from civicworks.live import live_fragment, one_row

from .models import ProgressUpdate, Project
from .selectors import LATEST_UPDATES

PROJECT_VERSION_SQL = f"""
    SELECT p.updated_at, p.stage, p.percent_complete,
           (SELECT MAX(u.id) FROM {ProgressUpdate._meta.db_table} u WHERE u.project_id = p.id),
           (SELECT COUNT(*) FROM {ProgressUpdate._meta.db_table} u WHERE u.project_id = p.id)
    FROM {Project._meta.db_table} p WHERE p.code = %s AND p.is_public
"""  # noqa: S608 — table names from the models, values as parameters


def _project_version(request, code: str):
    return one_row(PROJECT_VERSION_SQL, [code])


@live_fragment(_project_version)
def project_live(request, code: str):
    project = get_object_or_404(Project.objects.public(), code=code)
    updates = project.updates.order_by("-created_at", "-id")[:LATEST_UPDATES]  # as many as the page shows
    return render(request, "projects/live/project.html", {"project": project, "updates": updates})
