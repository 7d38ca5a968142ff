"""The city's order of precedence for routing a report, said once as a pure function.

`feedback.services.report_route` asks it for one report; the demo loader (`feedback.demo`),
which builds historic rows for COPY and so cannot call the service per row, asks it for
every generated report. A department may be anything the caller uses for one (a row, an id).
"""

from collections.abc import Hashable, Mapping
from typing import TypeVar

Dept = TypeVar("Dept")


def route_choice(
    *,
    category: Hashable,
    district: Hashable | None,
    project_lead: Dept | None,
    rules: Mapping[tuple[Hashable, Hashable], Dept],
    category_department: Dept | None,
    default_desk: Dept | None,
) -> tuple[Dept | None, str]:
    """The department that handles a report, and why.

    1. A report about a project goes to the project's lead unit.
    2. A category + district rule (`rules` is keyed by (category, district)).
    3. The category's department.
    4. The city's default desk (12345).
    """
    if project_lead is not None:
        return project_lead, "project"
    rule = rules.get((category, district)) if district is not None else None
    if rule is not None:
        return rule, "rule"
    if category_department is not None:
        return category_department, "category"
    return default_desk, "default"
