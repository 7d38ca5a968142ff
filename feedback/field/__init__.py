"""In the field: the phone pages of grid workers (网格员) and supervisors, and their on-site checks.

Who sees what (`selectors.field_reports` / `field_projects`, the same scoping as the console):
a grid worker the reports of the grid areas they hold (or assigned to them) and the projects in
those areas' communities; a supervisor their department's reports and projects; the city
administrator everything. Anybody else is refused (403); a report or project outside one's
field is not found (404).
"""
