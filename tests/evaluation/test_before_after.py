"""Before and after for rectification orders: an order that requires a photo is verified as rectified
only with the department's "after" photo (service, console, API); the photos are public with the
published results only."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from evaluation import services
from evaluation.errors import EvaluationError
from evaluation.models import CycleState, OrderStatus, PhotoKind, RectificationPhoto
from tests import factories

REFUSAL = "answer carries an “after” photo"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def q3(scheme):
    return factories.review_cycle(year=2026, quarter=3, scheme=scheme, state=CycleState.CLOSED)


@pytest.fixture
def q4(scheme):
    """The cycle open now, in which Q3's orders are verified."""
    return factories.review_cycle(year=2026, quarter=4, scheme=scheme, state=CycleState.OPEN)


@pytest.fixture
def order(q3, q4, project):
    return factories.rectification_order(cycle=q3, project=project, requires_after_photo=True)


def state(order) -> tuple:
    order.refresh_from_db()
    return order.status, order.verified_in_id, order.photos.count()


# --- The services ----------------------------------------------------------------------------------


def test_verifying_as_rectified_needs_the_after_photo(order, q4, evaluator, official):
    services.order_answer(order=order, by=official, response="护栏已更换")
    before = state(order)
    with pytest.raises(EvaluationError) as refused:
        services.order_verify(order=order, cycle=q4, by=evaluator, rectified=True, note="复查合格")
    assert refused.value.code == "after_photo_required"
    assert state(order) == before

    services.order_photo_add(order=order, by=official, kind=PhotoKind.AFTER, image=factories.jpeg_upload())
    services.order_verify(order=order, cycle=q4, by=evaluator, rectified=True, note="复查合格")
    assert state(order)[:2] == (OrderStatus.CLOSED, q4.pk)


def test_escalating_needs_no_photo(order, q4, evaluator):
    services.order_verify(order=order, cycle=q4, by=evaluator, rectified=False, note="未整改")
    assert state(order)[0] == OrderStatus.ESCALATED


def test_the_answer_carries_the_after_photo_without_its_position(order, official):
    services.order_answer(
        order=order, by=official, response="护栏已更换", photo=factories.jpeg_upload(gps=True), caption="新护栏"
    )
    (photo,) = order.photos.all()
    assert (photo.kind, photo.caption, photo.added_by) == (PhotoKind.AFTER, "新护栏", official)
    assert photo.image.name.startswith("rectification/") and "jpeg" not in photo.image.name
    with photo.image.open("rb") as stored:
        assert not Image.open(stored).getexif()


def test_who_adds_which_photo(order, official, other_official, evaluator):
    with pytest.raises(PermissionDenied):
        services.order_photo_add(order=order, by=official, kind=PhotoKind.BEFORE, image=factories.jpeg_upload())
    with pytest.raises(PermissionDenied):
        services.order_answer(order=order, by=other_official, response="已整改", photo=factories.jpeg_upload())
    services.order_photo_add(order=order, by=evaluator, kind=PhotoKind.BEFORE, image=factories.jpeg_upload())
    assert list(order.photos.values_list("kind", flat=True)) == [PhotoKind.BEFORE]


def test_a_verified_order_takes_no_more_photos(order, q4, evaluator, official):
    services.order_verify(order=order, cycle=q4, by=evaluator, rectified=False, note="未整改")
    with pytest.raises(EvaluationError):
        services.order_photo_add(order=order, by=official, kind=PhotoKind.AFTER, image=factories.jpeg_upload())


# --- The console ----------------------------------------------------------------------------------------


def verify_in_console(client, order):
    url = reverse("admin:evaluation_rectificationorder_changelist")
    data = {"action": "verify_rectified", "_selected_action": [order.pk]}
    return client.post(url, data, follow=True, **EN).content.decode()


@pytest.mark.parametrize("persona", ["evaluator", "city_admin"])
def test_the_console_refuses_to_verify_without_the_photo(client, request, persona, order, official):
    services.order_answer(order=order, by=official, response="护栏已更换")
    client.force_login(request.getfixturevalue(persona))
    before = state(order)
    assert REFUSAL in verify_in_console(client, order)
    assert state(order) == before


def test_the_department_answers_with_the_photo_in_the_console_and_the_order_is_verified(
    client, order, official, evaluator
):
    client.force_login(official)
    url = reverse("admin:evaluation_rectificationorder_change", args=[order.pk])
    page = client.get(url, **EN).content.decode()
    assert 'name="after_photo"' in page and 'name="before_photo"' not in page
    response = client.post(
        url, {"response": "护栏已更换", "after_photo": factories.jpeg_upload(), "after_caption": "新护栏"}
    )
    assert response.status_code == 302
    assert state(order)[0] == OrderStatus.ANSWERED
    assert order.photos.get().kind == PhotoKind.AFTER

    client.force_login(evaluator)
    verify_in_console(client, order)
    assert state(order)[0] == OrderStatus.CLOSED


def test_the_console_refuses_a_file_that_is_not_a_photo(client, order, official):
    client.force_login(official)
    url = reverse("admin:evaluation_rectificationorder_change", args=[order.pk])
    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = client.post(url, {"response": "护栏已更换", "after_photo": fake}, **EN)
    assert response.status_code == 200  # the form again, with the error beside the field
    assert state(order) == (OrderStatus.ISSUED, None, 0)


# --- The API -----------------------------------------------------------------------------------------------


def post(client, order, step, **data):
    return client.post(reverse(f"evaluation-api-order-{step}", args=[order.pk]), data, **EN)


def test_the_api_answers_with_a_photo_and_refuses_to_verify_without_one(client, order, official, evaluator):
    client.force_login(official)
    response = post(client, order, "answer", response="护栏已更换")
    assert response.status_code == 200, response.content
    assert post(client, order, "verify", rectified=True).status_code == 403  # evaluators verify

    client.force_login(evaluator)
    response = post(client, order, "verify", rectified=True, note="复查合格")
    assert response.status_code == 400
    assert REFUSAL in str(response.json())
    assert state(order)[0] == OrderStatus.ANSWERED

    client.force_login(official)
    response = post(client, order, "answer", response="护栏已更换", photo=factories.jpeg_upload(), caption="新护栏")
    assert response.status_code == 200
    assert [p["kind"] for p in response.json()["photos"]] == [PhotoKind.AFTER]

    client.force_login(evaluator)
    response = post(client, order, "verify", rectified=True, note="复查合格")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == OrderStatus.CLOSED


@pytest.mark.parametrize("persona", ["other_official", "resident"])
def test_the_api_does_not_show_another_departments_order(client, request, persona, order):
    client.force_login(request.getfixturevalue(persona))
    assert post(client, order, "answer", response="已整改", photo=factories.jpeg_upload()).status_code == 404
    assert state(order) == (OrderStatus.ISSUED, None, 0)


# --- Who may see the photos -----------------------------------------------------------------------------


@pytest.fixture
def pair(order):
    return (
        factories.rectification_photo(order=order, kind=PhotoKind.BEFORE, caption="护栏断裂"),
        factories.rectification_photo(order=order, kind=PhotoKind.AFTER, caption="护栏已更换"),
    )


def test_photos_of_an_unpublished_order_are_the_consoles_only(client, pair, official, other_official, q3):
    url = pair[1].image.url
    assert client.get(url).status_code == 404
    client.force_login(other_official)
    assert client.get(url).status_code == 404
    client.force_login(official)
    assert client.get(url).status_code == 200

    q3.state = CycleState.PUBLISHED
    q3.save(update_fields=["state"])
    client.logout()
    assert client.get(url).status_code == 200


def test_a_hidden_projects_order_photos_stay_private(client, pair, q3, project):
    q3.state = CycleState.PUBLISHED
    q3.save(update_fields=["state"])
    project.is_public = False
    project.save(update_fields=["is_public"])
    assert client.get(pair[0].image.url).status_code == 404


def test_the_project_page_shows_the_pair_of_a_published_order(client, pair, q3, project):
    url = reverse("projects:detail", args=[project.code])
    assert '<div class="before-after">' not in client.get(url, **EN).content.decode()

    q3.state = CycleState.PUBLISHED
    q3.save(update_fields=["state"])
    page = client.get(url, **EN).content.decode()
    assert "Before and after" in page  # next to the order, in the project page's rectification panel
    assert page.count('<div class="before-after">') == 1
    assert 'alt="护栏断裂"' in page and 'alt="护栏已更换"' in page
    assert pair[0].image.url in page and pair[1].image.url in page
    assert RectificationPhoto.objects.count() == 2
