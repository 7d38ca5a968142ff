"""The evaluation app's refusal, shared by the model's transition table and the services."""


class EvaluationError(Exception):
    """A refused step, with a message for the person who asked."""
