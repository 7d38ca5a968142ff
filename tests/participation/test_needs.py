"""The needs board: propose, support once, answer, turn into a project; the annual list."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from participation import services
from participation.models import Need, NeedStatus, NeedSupport, PointsEntry
from projects.models import Community, ProjectCategory
from tests import factories

from .conftest import postgres_only


def test_resident_proposes_a_need_without_javascript(client, city, resident):
    client.force_login(resident)
    community = Community.objects.get(name="望江社区")
    response = client.post(
        reverse("participation:need-new"),
        {"category": ProjectCategory.objects.get(code="lighting").pk, "title": "滨河路晚上太黑",
         "text": "路灯坏了一半。", "district": community.district_id, "community": community.pk},
    )  # fmt: skip
    need = Need.objects.get()
    assert response.status_code == 302 and response.url == need.get_absolute_url()
    assert need.author == resident and need.status == NeedStatus.OPEN
    # No map pin: the need sits inside its community.
    assert 30.66 <= need.latitude <= 30.72 and 103.98 <= need.longitude <= 104.06


def test_anonymous_cannot_propose(client, city):
    response = client.post(reverse("participation:need-new"), {"title": "x"})
    assert response.status_code == 302 and "/accounts/" in response.url
    assert not Need.objects.exists()


def test_community_outside_district_is_refused(client, city, resident):
    client.force_login(resident)
    community = Community.objects.get(name="青龙社区")
    other = Community.objects.get(name="望江社区").district
    response = client.post(
        reverse("participation:need-new"),
        {"category": ProjectCategory.objects.first().pk, "title": "t", "text": "x", "district": other.pk,
         "community": community.pk},
    )  # fmt: skip
    assert response.status_code == 400
    assert not Need.objects.exists()


def test_one_support_per_account(client, need, neighbour, django_capture_on_commit_callbacks):
    client.force_login(neighbour)
    url = reverse("participation:need-support", args=[need.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        client.post(url)
    assert NeedSupport.objects.filter(need=need).count() == 1
    assert PointsEntry.objects.filter(user=neighbour, reason="need_supported").count() == 1


def _no_self_support(need) -> None:
    assert not NeedSupport.objects.exists()
    assert not PointsEntry.objects.filter(user=need.author).exists()


def test_the_author_cannot_support_their_own_need(need, django_capture_on_commit_callbacks):
    with translation.override("en"):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
            services.need_support(need=need, user=need.author)
        assert error.value.messages == ["You cannot support your own need."]
    _no_self_support(need)


def test_the_page_refuses_self_support_with_a_message(client, need, django_capture_on_commit_callbacks):
    client.force_login(need.author)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("participation:need-support", args=[need.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response.url == need.get_absolute_url()
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You cannot support your own need." in page
    # The author is not offered the button at all.
    assert reverse("participation:need-support", args=[need.pk]) not in page and "You proposed this need." in page
    _no_self_support(need)


def test_the_api_refuses_self_support(client, need, django_capture_on_commit_callbacks):
    client.force_login(need.author)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("participation-api-need-support", args=[need.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and response.json() == ["You cannot support your own need."]
    _no_self_support(need)


def test_anonymous_support_is_refused(client, need):
    response = client.post(reverse("participation:need-support", args=[need.pk]))
    assert response.status_code == 302
    assert not NeedSupport.objects.exists()


def test_support_api_counts_once(client, need, neighbour):
    client.force_login(neighbour)
    url = reverse("participation-api-need-support", args=[need.pk])
    first, second = client.post(url), client.post(url)
    assert (first.status_code, first.json()["counted"]) == (201, True)
    assert (second.status_code, second.json()["counted"]) == (200, False)
    assert second.json()["support_count"] == 1


def _race(target, count: int) -> list:
    """Run `target` in `count` threads released together; each thread has its own connection."""
    barrier, results, errors = threading.Barrier(count), [], []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_supports_of_one_account_count_once(city, resident, neighbour):
    need = factories.need(author=resident)
    results = _race(lambda: services.need_support(need=need, user=neighbour), 8)
    assert sorted(results) == [False] * 7 + [True]
    assert NeedSupport.objects.filter(need=need, user=neighbour).count() == 1


def test_need_to_project_links_both_ways(client, need, project, official, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.needs_to_project(needs=[need], project=project, by=official)
    need.refresh_from_db()
    assert need.status == NeedStatus.ADOPTED
    assert list(project.needs.all()) == [need]
    page = client.get(need.get_absolute_url()).content.decode()
    assert project.code in page and project.get_absolute_url() in page
    annual = client.get(reverse("participation:annual-list", args=[project.year])).content.decode()
    assert project.code in annual and need.title in annual
    # The author is rewarded once for a need that became a project.
    assert PointsEntry.objects.filter(user=need.author, reason="need_adopted").count() == 1


def test_project_page_include_lists_its_needs(need, project, official):
    from django.template import Context, Template

    services.needs_to_project(needs=[need], project=project, by=official)
    html = Template("{% load participation %}{% project_needs project %}").render(Context({"project": project}))
    assert need.title in html and need.get_absolute_url() in html


def test_official_of_another_department_cannot_link(need, project, other_official):
    with pytest.raises(PermissionDenied):
        services.needs_to_project(needs=[need], project=project, by=other_official)
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN and not project.needs.exists()


def test_resident_cannot_answer(need, neighbour):
    with pytest.raises(PermissionDenied):
        services.need_answer(need=need, by=neighbour, answer="好的")
    need.refresh_from_db()
    assert need.answer == "" and need.status == NeedStatus.OPEN


def test_console_turns_needs_into_a_project(client, need, project, official):
    second = factories.need(author=need.author, title="望江二期也要电梯")
    client.force_login(official)
    url = reverse("admin:participation_need_changelist")
    response = client.post(url, {"action": "to_project", "_selected_action": [need.pk, second.pk]})
    assert response.status_code == 200 and project.code in response.content.decode()
    client.post(url, {"action": "to_project", "_selected_action": [need.pk, second.pk], "apply": "1",
                      "project": project.pk})  # fmt: skip
    assert set(project.needs.all()) == {need, second}


def test_console_refuses_a_project_of_another_department(client, need, other_project, official):
    client.force_login(official)
    url = reverse("admin:participation_need_changelist")
    client.post(url, {"action": "to_project", "_selected_action": [need.pk], "apply": "1", "project": other_project.pk})
    assert not other_project.needs.exists()


def test_console_answer_goes_through_the_service(client, need, official):
    client.force_login(official)
    url = reverse("admin:participation_need_change", args=[need.pk])
    response = client.post(url, {"answer": "已列入明年计划。", "is_hidden": ""})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.ANSWERED and need.answered_by == official


def test_resident_has_no_console(client, need, resident):
    client.force_login(resident)
    response = client.get(reverse("admin:participation_need_changelist"))
    assert response.status_code == 302


@pytest.mark.parametrize("n", [5, 50])
def test_needs_board_query_count(client, city, residents, project, official, n, django_assert_max_num_queries):
    needs = [factories.need(author=residents[i % 6], title=f"需求{i}") for i in range(n)]
    for i, need in enumerate(needs[:10]):
        for resident in residents[: i % 6]:
            services.need_support(need=need, user=resident)
    services.needs_to_project(needs=needs[:5], project=project, by=official)
    client.force_login(residents[0])
    with django_assert_max_num_queries(9):
        assert client.get(reverse("participation:need-list")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("participation:annual-list", args=[2026])).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("participation-api-needs")).status_code == 200


def _post_need(client, community, photo):
    return client.post(
        reverse("participation:need-new"),
        {"category": ProjectCategory.objects.get(code="garden").pk, "title": "屋顶菜园", "text": "想种菜。",
         "district": community.district_id, "community": community.pk, "latitude": "30.69", "longitude": "103.99",
         "photo": photo},
    )  # fmt: skip


def test_need_photo_is_re_encoded_and_a_fake_one_refused(client, city, resident, tmp_path, settings):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    client.force_login(resident)
    community = Community.objects.get(name="银杏社区")
    fake = SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    assert _post_need(client, community, fake).status_code == 400
    assert not Need.objects.exists()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="PNG")
    real = SimpleUploadedFile("garden.png", buffer.getvalue(), content_type="image/png")
    assert _post_need(client, community, real).status_code == 302
    need = Need.objects.get()
    assert need.photo.name.endswith(".jpg") and (need.latitude, need.longitude) == (30.69, 103.99)


def test_api_refuses_anonymous_support_and_vote(client, need, cocreation):
    assert client.post(reverse("participation-api-need-support", args=[need.pk])).status_code in (401, 403)
    option = cocreation.options.first()
    url = reverse("participation-api-vote", args=[cocreation.project.code])
    assert client.post(url, {"option": option.pk}).status_code in (401, 403)
    assert client.get(reverse("participation-api-my-points")).status_code in (401, 403)
    assert not NeedSupport.objects.exists() and not cocreation.votes.exists()


@pytest.mark.parametrize("n", [5, 50])
def test_need_detail_query_count(client, need, residents, project, official, n, django_assert_max_num_queries):

    for i in range(n):
        services.need_support(need=need, user=factories.user(username=f"s{i}", role="resident"))
    services.needs_to_project(needs=[need], project=project, by=official)
    client.force_login(residents[0])
    with django_assert_max_num_queries(6):
        assert client.get(need.get_absolute_url()).status_code == 200
