"""The resident's journey on a phone, in Chinese and again in English.

Map → filter → marker → project page (chain, money) → report a problem with a photo and a pin
→ tracking code → the department answers → confirm and rate → the quarter's satisfaction survey.
The browser is offline but for the live server: the map has no tiles, as in CI.
"""

import re

import pytest
from playwright.sync_api import expect

from evaluation.models import SurveyResponse
from feedback import services as feedback_services
from feedback.models import Channel, Report, ReportStatus

from .conftest import PHONE, collect_errors, jpeg, offline, open_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the resident reads, in each language: a missing translation fails here.
TEXT = {
    "zh-hans": {
        "locale": "zh-CN",
        "heading": "民心工程",
        "filter": "筛选",
        "open": "查看项目详情",
        "responsible": "谁来负责",
        "lead_role": "项目负责人",
        "spent": "已支出",
        "report": "反映本项目的问题",
        "send": "提交诉求",
        "thanks": "谢谢！请保存您的查询码",
        "dispatched": "已派单",
        "follow": "查询已提交的诉求",
        "answered": "已答复",
        "solved": "是的，已解决",
        "confirmed": "已确认",
        "rate": "提交评价",
        "rated": "居民评价：5/5。",
        "results": "评估结果",
        "survey_send": "提交我的回答",
        "survey_thanks": "感谢您的回答",
    },
    "en": {
        "locale": "en-GB",
        "heading": "Civic improvement projects",
        "filter": "Filter",
        "open": "Open the project page",
        "responsible": "Who is responsible",
        "lead_role": "Project lead",
        "spent": "Spent",
        "report": "Report a problem about this project",
        "send": "Send the report",
        "thanks": "Keep your tracking code",
        "dispatched": "Dispatched",
        "follow": "Follow a report you already sent",
        "answered": "Answered",
        "solved": "Yes, it is solved",
        "confirmed": "Confirmed",
        "rate": "Send the rating",
        "rated": "Rated 5/5 by the resident.",
        "results": "Evaluation results",
        "survey_send": "Send my answer",
        "survey_thanks": "Thank you for your answer",
    },
}


@pytest.fixture(params=["zh-hans", "en"])
def language(request) -> str:
    return request.param


@pytest.fixture
def resident_phone(browser, live_server, language):
    context = offline(browser.new_context(base_url=live_server.url, locale=TEXT[language]["locale"], **PHONE))
    yield context
    context.close()


def test_resident_journey(resident_phone, open_quarter, language, tmp_path):
    t, world = TEXT[language], open_quarter
    project = world.project
    page = resident_phone.new_page()
    errors = collect_errors(page)

    # 1. The map: both projects are markers, although no tile loads.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == language
    expect(page.locator("h1")).to_have_text(t["heading"])
    markers = page.locator("#projects-map path.leaflet-interactive")
    expect(markers).to_have_count(2)

    # 2. Filter by category: one marker and one row left.
    page.select_option("#id_category", "elevator")
    with page.expect_navigation():
        page.get_by_role("button", name=t["filter"], exact=True).click()
    assert "category=elevator" in page.url
    expect(markers).to_have_count(1)
    expect(page.locator(".projects-list .projects-row")).to_have_count(1)

    # 3. The marker's popup leads to the project page.
    markers.first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(project.title)
    # Enter on the link, not a click: opening the popup may pan the map, and a click aimed while it
    # moves lands on the map (which closes the popup). A person taps after the pan; a test may not.
    with page.expect_navigation():
        popup.get_by_role("link", name=t["open"]).press("Enter")
    assert page.url.endswith(f"/projects/{project.code}/")
    expect(page.locator("h1")).to_have_text(project.title)

    # 4. The responsibility chain and the spending; the lead's private phone stays private.
    chain = page.locator("section", has=page.get_by_role("heading", name=t["responsible"]))
    expect(chain).to_contain_text(project.lead_unit.name)
    expect(chain).to_contain_text(t["lead_role"])
    expect(chain.get_by_role("link", name="028-61234567")).to_be_visible()
    expect(chain).not_to_contain_text("13900001111")
    money = page.locator("dl.projects-facts", has_text=t["spent"])
    expect(money).to_contain_text("¥31.50")
    expect(page.locator("table.projects-table").first.locator("tbody tr")).to_have_count(3)
    qr = page.locator(".projects-report img")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0

    # 5. Report a problem about the project: in Chinese by tapping the link, in English by scanning
    #    the QR code at the site (its address is the same link with `via=qr`: counted as a scan).
    link = page.get_by_role("link", name=t["report"])
    assert link.get_attribute("href") == f"/reports/new/?project={project.code}"
    if language == "zh-hans":
        with page.expect_navigation():
            link.click()
        channel = Channel.WEB
    else:
        page.goto(link.get_attribute("href") + "&via=qr")
        channel = Channel.QR
    expect(page.locator(".panel", has_text=project.code)).to_be_visible()
    page.select_option("#id_category", label="路灯")
    page.fill("#id_text", "3号楼电梯井旁的路灯不亮，晚上看不清台阶。")
    page.locator("#feedback-pick-map").click(position={"x": 160, "y": 110})
    expect(page.locator("#feedback-position")).to_have_text(re.compile(r"\d+\.\d+, \d+\.\d+"))
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(jpeg())
    page.set_input_files("#id_photos", str(photo))
    with page.expect_navigation():
        page.get_by_role("button", name=t["send"]).click()

    # 6. The tracking code, and the tracking page: dispatched to the project's lead unit.
    assert "/track/" in page.url, page.locator(".errors, .errorlist").all_inner_texts()
    assert errors == []  # a broken page says so here (a 5xx), not as a missing element below
    code = page.locator("h1 code").inner_text()
    expect(page.locator(".messages")).to_contain_text(t["thanks"])
    expect(page.locator(".messages")).to_contain_text(code)
    report = Report.objects.get(tracking_code=code)
    assert (report.channel, report.project_id, report.photos.count()) == (channel, project.pk, 1)
    assert report.latitude is not None and report.longitude is not None
    facts = page.locator(".feedback-facts")
    expect(facts).to_contain_text(t["dispatched"])
    expect(facts).to_contain_text(project.lead_unit.name)
    thumbnail = page.locator(".feedback-photos img")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.naturalWidth") > 0

    # 7. The department answers; later the resident looks the report up by its code and reads the answer.
    feedback_services.report_resolve(report=report, by=world.official, answer="已更换灯泡，今晚起恢复照明。")
    page.goto("/reports/new/")
    with page.expect_navigation():
        page.get_by_role("link", name=t["follow"]).click()
    page.fill("#id_code", f" {code.lower()} ")
    with page.expect_navigation(url=f"**/track/{code}/"):
        page.press("#id_code", "Enter")
    expect(page.locator("#answer-heading + p")).to_have_text("已更换灯泡，今晚起恢复照明。")
    expect(facts).to_contain_text(t["answered"])

    # 8. Confirm, then rate 5/5.
    with page.expect_navigation():
        page.get_by_role("button", name=t["solved"]).click()
    expect(facts).to_contain_text(t["confirmed"])
    page.get_by_role("radio", name="5").check()
    page.fill("#id_comment", "处理很快。")
    with page.expect_navigation():
        page.get_by_role("button", name=t["rate"]).click()
    expect(page.locator("#live-report")).to_contain_text(t["rated"])
    report.refresh_from_db()
    assert (report.status, report.rating) == (ReportStatus.CONFIRMED, 5)

    # 9. The quarter's satisfaction survey, found from the results page.
    open_menu(page)
    with page.expect_navigation():
        page.get_by_role("link", name=t["results"], exact=True).first.click()
    with page.expect_navigation():
        page.get_by_role("link", name=project.title).click()
    page.locator("input[name=satisfaction][value='4']").check()
    page.select_option("#id_happiness", "8")
    with page.expect_navigation():
        page.get_by_role("button", name=t["survey_send"]).click()
    expect(page.locator("h1")).to_have_text(t["survey_thanks"])
    response = SurveyResponse.objects.get(survey__project=project, survey__cycle=world.cycle)
    assert (response.satisfaction, response.happiness) == (4, 8)

    assert errors == []
