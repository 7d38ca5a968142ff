"""One way to say no: a DomainError is a ValidationError with a code, converted once for the API."""

from django.core.exceptions import ValidationError
from rest_framework.test import APIRequestFactory

from civicworks.api import exception_handler
from civicworks.errors import DomainError
from evaluation.errors import EvaluationError


def test_a_domain_error_is_a_validation_error_with_a_code_and_its_words():
    refusal = EvaluationError("Review cycle 2026-Q4 is closed: this step is not possible now.", code="state")

    assert isinstance(refusal, DomainError) and isinstance(refusal, ValidationError)
    assert refusal.code == "state"
    assert str(refusal) == "Review cycle 2026-Q4 is closed: this step is not possible now."


def test_the_api_answers_a_services_refusal_with_400_and_its_messages():
    context = {"request": APIRequestFactory().post("/api/v1/x/"), "view": None}

    plain = exception_handler(DomainError("Not now."), context)
    per_field = exception_handler(ValidationError({"amount": ["The amount must be greater than zero."]}), context)

    assert (plain.status_code, plain.data) == (400, ["Not now."])
    assert (per_field.status_code, per_field.data) == (400, {"amount": ["The amount must be greater than zero."]})
