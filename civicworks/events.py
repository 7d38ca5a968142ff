"""What happened, announced by the app where it happened; other apps listen.

An app never imports another app's services for a side effect: it sends one of these Django
signals, inside its own transaction, and whoever cares connects a receiver in its
`AppConfig.ready()`. A receiver that does something outside the database (or that must not
undo the event when it fails) defers it with `transaction.on_commit`, so a rolled-back event
has no effect. Keyword arguments are the contract; the sender is the model class.

| event | sent by | arguments | listeners |
|---|---|---|---|
| `report_accepted` | `feedback.services.report_accept` | `report` (a problem, question or praise) | participation: points `report_confirmed` |
| `suggestion_adopted` | `feedback.services.report_accept` | `report` (a suggestion) | participation: points `suggestion_adopted` |
| `survey_answered` | `evaluation.services.survey_respond` | `user` (signed in), `response_id` | participation: points `survey_answered` |
| `report_submitted` | `feedback.services.report_submit` | `report` | projects: a signed-in reporter about a project follows it |
| `need_supported` | `participation.services.need_support` | `user`, `need`, `project_ids` (the projects answering the need) | projects: the supporter follows those projects |
"""

from django.dispatch import Signal

report_accepted = Signal()
suggestion_adopted = Signal()
survey_answered = Signal()
report_submitted = Signal()
need_supported = Signal()
