"""Contact details a person may type into free text, and their redaction (every app's free text).

Chinese mobile and landline numbers (with or without +86 and separators) and e-mail addresses.
Best effort, documented in docs/security.md; structured contact fields are what a purge is sure
to clear.
"""

import re

CONTACT_IN_TEXT = re.compile(
    r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)"
    r"|(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
REDACTED = "***"


def redact_contacts(text: str) -> str:
    return CONTACT_IN_TEXT.sub(REDACTED, text or "")
