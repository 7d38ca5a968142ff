"""People are named as they write their names, in every language, and never by their log-in."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first", "last", "display", "written"),
    [
        ("建国", "王", "", "王建国"),  # family name first, no space
        ("Mary", "Smith", "", "Mary Smith"),
        ("", "", "", "grid10"),  # nothing else to go by
        ("晓峰", "孙", "孙师傅", "孙师傅"),  # the name the person chose
    ],
)
def test_names_as_written(first, last, display, written):
    person = factories.user(username="grid10", first_name=first, last_name=last, display_name=display)

    assert person.public_name == written
    assert str(person) == written


def test_the_console_greets_a_chinese_name_whole(client):
    official = factories.user(role="city_admin", username="official9", first_name="建国", last_name="王")
    assert official.get_short_name() == "王建国"
    assert factories.user(first_name="Mary", last_name="Smith").get_short_name() == "Mary"
    client.force_login(official)
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<strong>王建国</strong>" in page
