"""The access-control table, in one place: docs/security.md is generated from it and
tests/security/test_access_matrix.py walks it.

    .venv/bin/python tests/security/access_table.py   # rewrites the table in docs/security.md

"ok" = the action is allowed (2xx); "no" = refused (redirect to log-in, 403 or 404) and
nothing changed. Policy: DESIGN.md "least privilege" — officials and managers act on their
own department's projects and reports only; evaluators on evaluation data; supervisors and
city administrators oversee; residents, observers and anonymous visitors have no console;
reporters' contact details are never in the public API for anyone.
"""

from pathlib import Path

ROLES = [
    "anonymous", "resident", "observer", "official", "other_official", "manager",
    "evaluator", "supervisor", "city_admin",
]  # fmt: skip
ROLE_TITLES = {
    "anonymous": "anonymous", "resident": "resident", "observer": "observer",
    "official": "official of the department", "other_official": "official of another department",
    "manager": "department manager", "evaluator": "evaluator", "supervisor": "supervisor",
    "city_admin": "city admin",
}  # fmt: skip


def row(key, title, method, url, ok_for, *, changes=None, body=None):
    """`url` may hold {project} (the department's project code), {project_pk}, {report_pk}."""
    return {
        "key": key, "title": title, "method": method, "url": url, "changes": changes, "body": body,
        "expected": {role: ("ok" if role in ok_for else "no") for role in ROLES},
    }  # fmt: skip


STAFF = {"official", "other_official", "manager", "evaluator", "supervisor", "city_admin"}
OWN_DEPARTMENT = {"official", "manager", "city_admin"}
PROGRESS = {"stage": "construction", "percent_complete": 55, "text": "主体完工"}
EXPENDITURE = {"date": "2026-06-01", "amount": "1000.00", "payee": "锦川建工", "purpose": "材料款"}

ACTIONS = [
    row("console", "Console: open the console", "GET", "/admin/", STAFF),
    row("console_project_view", "Console: view the department's project", "GET",
        "/admin/projects/project/{project_pk}/change/", OWN_DEPARTMENT | {"supervisor", "evaluator"}),
    row("console_expenditures", "Console: expenditure list", "GET", "/admin/projects/expenditure/",
        OWN_DEPARTMENT | {"other_official", "supervisor", "evaluator"}),
    row("console_report_queue", "Console: report queue", "GET", "/admin/feedback/report/",
        {"official", "other_official", "manager", "supervisor", "evaluator", "city_admin"}),
    row("console_report_answer", "Console: open a report of the department (answer form)", "GET",
        "/admin/feedback/report/{report_pk}/change/", OWN_DEPARTMENT | {"supervisor", "evaluator"}),
    row("console_report_contact", "Console: show a reporter's contact details (unmask, logged)", "POST",
        "/admin/feedback/report/{report_pk}/contact/", OWN_DEPARTMENT | {"supervisor"},
        changes="feedback.ContactDisclosure"),
    row("console_evaluation", "Console: evaluation section (officials see their scorecards and orders)", "GET",
        "/admin/evaluation/", STAFF),
    row("console_users", "Console: users", "GET", "/admin/accounts/user/", {"city_admin"}),
    row("api_projects", "API: read projects", "GET", "/api/v1/projects/", set(ROLES)),
    row("api_progress_own", "API: progress update on the department's project", "POST",
        "/api/v1/projects/{project}/updates/", OWN_DEPARTMENT, changes="projects.ProgressUpdate", body=PROGRESS),
    row("api_progress_other", "API: progress update on another department's project", "POST",
        "/api/v1/projects/{other_project}/updates/", {"other_official", "city_admin"},
        changes="projects.ProgressUpdate", body=PROGRESS),
    row("api_expenditure_own", "API: expenditure on the department's project", "POST",
        "/api/v1/projects/{project}/expenditures/", OWN_DEPARTMENT, changes="projects.Expenditure", body=EXPENDITURE),
    row("api_report_submit", "API: submit a report", "POST", "/api/v1/reports/", set(ROLES),
        changes="feedback.Report", body={"category": "road", "text": "井盖缺失", "latitude": 30.69, "longitude": 103.99}),
    row("api_report_contact", "API: read a reporter's contact details", "GET", "/api/v1/reports/{report_pk}/", set()),
    row("api_report_resolve", "API: answer a report of the department", "POST", "/api/v1/reports/{report_pk}/resolve/",
        OWN_DEPARTMENT | {"supervisor"}, changes="feedback.ReportEvent", body={"answer": "已修复"}),
]  # fmt: skip


def markdown() -> str:
    mark = {"ok": "✅", "no": "—"}
    head = "| action | " + " | ".join(ROLE_TITLES[r] for r in ROLES) + " |"
    lines = [head, "|" + "---|" * (len(ROLES) + 1)]
    for action in ACTIONS:
        cells = " | ".join(mark[action["expected"][r]] for r in ROLES)
        lines.append(f"| {action['title']} (`{action['method']} {action['url']}`) | {cells} |")
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- access-table:begin -->", "<!-- access-table:end -->"


DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def write_doc(path: Path = DOC) -> None:
    text = path.read_text()
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    path.write_text(text[:start] + "\n" + markdown() + text[stop:])


if __name__ == "__main__":
    write_doc()
