"""The evaluation app's refusal, shared by the model's transition table and the services."""

from civicworks.errors import DomainError


class EvaluationError(DomainError):
    """A refused step, with a message for the person who asked."""
