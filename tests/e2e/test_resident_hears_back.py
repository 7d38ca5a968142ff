"""A new resident signs up, hears back and says it is not fixed — in Chromium, with a real SMTP server.

Sign up → the confirmation link from the mail server → propose a need → report a problem about a
project → the official answers in the console → the resident sees the unread notification and
gets the e-mail → weeks later the "is it fixed?" e-mail → its "not fixed" link reopens the report,
back in the department's queue.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from civicworks.accounts.models import User
from civicworks.notifications.models import Delivery, DeliveryStatus, Notification
from feedback import fixed
from feedback.models import Report, ReportStatus
from participation.models import Need
from tests.mailserver import smtp_server, text_of

from .conftest import collect_errors, open_menu, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "xiaomei.zhang@example.cn"
PASSWORD = "Wangjiang-2026-lift"


@pytest.fixture
def inbox(settings, live_server):
    """Every e-mail of the test goes through SMTP to a server on a loopback port, and is read back."""
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = server.host, server.port, False
        settings.CIVICWORKS_SITE_URL = live_server.url  # links in e-mails lead to this server
        yield server


def link_in(message, pattern: str) -> str:
    found = re.search(pattern, text_of(message))
    assert found, text_of(message)
    return found.group(0)


def propose(page, project) -> None:
    page.goto("/needs/new/")
    page.select_option("#id_category", label="老旧小区加装电梯")
    page.fill("#id_title", "望江小区5号楼加装电梯")
    page.fill("#id_text", "5号楼六层，住着不少老人，上下楼很吃力。")
    page.select_option("#id_district", label=project.district.name)
    with page.expect_navigation():
        page.get_by_role("button", name="发布需求").click()


def test_a_new_resident_signs_up_reports_and_hears_back(phone, desktop, world, inbox, live_server):
    project = world.project
    page = phone.new_page()
    errors = collect_errors(page)

    # 1. Sign up: a display name written as the resident writes it, an e-mail address, a password.
    page.goto("/accounts/signup/")
    expect(page.locator("h1")).to_have_text("注册")
    page.fill("#id_display_name", "张小梅")
    page.fill("#id_email", EMAIL)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    with page.expect_navigation():
        page.locator("form [type=submit]").last.click()
    resident = User.objects.get(email=EMAIL)
    assert (resident.display_name, resident.language, resident.is_verified) == ("张小梅", "zh-hans", False)

    # 2. Not yet confirmed: proposing a need is refused, with the way to confirm.
    propose(page, project)
    expect(page.locator("body")).to_contain_text("请先验证您的电子邮箱")
    assert not Need.objects.filter(author=resident).exists()
    errors.clear()  # the refusal is a 400, which the browser logs; nothing else may fail

    # 3. The confirmation link, from the mail server, then the confirm button.
    mail = inbox.wait_for(lambda m: m["To"] == EMAIL)
    page.goto(link_in(mail, r"http://\S+/accounts/confirm-email/\S+/"))
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    resident.refresh_from_db()
    assert resident.is_verified

    # 4. Confirmed: the same need is taken.
    propose(page, project)
    assert Need.objects.filter(author=resident, title="望江小区5号楼加装电梯").exists()

    # 5. Report a problem about the project, signed in: the report is the resident's, who now follows the project.
    page.goto(f"/reports/new/?project={project.code}")
    page.select_option("#id_category", label="路灯")
    page.fill("#id_text", "电梯井旁的路灯不亮，晚上看不清台阶。")
    page.locator("#feedback-pick-map").click(position={"x": 160, "y": 110})
    with page.expect_navigation():
        page.get_by_role("button", name="提交诉求").click()
    assert "/track/" in page.url, page.locator(".errors, .errorlist").all_inner_texts()
    report = Report.objects.get(reporter=resident)
    assert report.project_id == project.pk and resident.follows.filter(project=project).exists()
    assert errors == []

    # 6. The official answers it in the console.
    console = desktop.new_page()
    sign_in(console, "official")
    console.goto(f"/admin/feedback/report/{report.pk}/change/")
    console.fill("#id_answer", "已更换灯泡，今晚起恢复照明。")
    with console.expect_navigation():
        console.get_by_role("button", name="发送答复").click()
    report.refresh_from_db()
    assert report.status == ReportStatus.RESOLVED

    # 7. The resident sees the unread notification in the header and the list…
    page.goto("/")
    badge = page.locator(".menu-button .badge")  # on a phone, on the folded menu's button
    expect(badge).to_be_visible()
    open_menu(page)
    with page.expect_navigation():
        page.locator(".site-header").get_by_role("link", name=re.compile("通知")).click()
    answered = page.locator(".notification.unread", has_text=f"您的诉求 {report.reference} 已答复")
    expect(answered).to_be_visible()
    with page.expect_navigation():
        answered.locator("button, a").first.click()
    assert f"/track/{report.tracking_code}/" in page.url
    assert not Notification.objects.filter(user=resident, kind="report.answered", read_at__isnull=True).exists()

    # …and the e-mail, with a one-click unsubscribe, nothing of anyone else's.
    mail = inbox.wait_for(lambda m: m["To"] == EMAIL and report.reference in m["Subject"] and "答复" in m["Subject"])
    assert "已更换灯泡，今晚起恢复照明。" in text_of(mail)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(mail["List-Unsubscribe"]).strip().startswith(f"<{live_server.url}/notifications/unsubscribe/")

    # 8. Four weeks later: "is it fixed?". The "not fixed" link reopens the report with the resident's words.
    assert fixed.fixed_questions_ask(now=timezone.now() + timedelta(days=29)) == 1
    question = inbox.wait_for(lambda m: m["To"] == EMAIL and "问题解决了吗" in m["Subject"])
    not_fixed = link_in(question, rf"{live_server.url}/reports/fixed/\S+answer=not_fixed")
    page.goto(not_fixed)
    page.get_by_label("未解决", exact=True).check()
    page.fill("#id_reason", "灯又不亮了。")
    with page.expect_navigation():
        page.get_by_role("button", name="提交我的回答").click()
    expect(page.locator("[role=status]")).to_contain_text("退回部门重新办理")
    report.refresh_from_db()
    assert (report.status, report.fixed_answer) == (ReportStatus.REOPENED, "not_fixed")

    # Back in the department's queue, with the resident's words.
    console.goto("/admin/feedback/report/?status__exact=reopened")
    expect(console.locator("#result_list")).to_contain_text(report.reference)
    assert report.events.filter(kind="reopened", note="灯又不亮了。").exists()
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
    assert errors == []
