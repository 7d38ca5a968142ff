"""A report written with the network off is kept on the phone and sent once when it returns;
the resident is told which it is and gets the tracking code."""

import re

import pytest
from playwright.sync_api import expect

from feedback.models import Channel, Report

from .conftest import collect_errors, jpeg

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_report_written_offline_is_sent_once_when_the_connection_returns(phone, world, tmp_path):
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(jpeg())
    page = phone.new_page()
    errors = collect_errors(page)
    page.goto("/reports/new/")
    page.select_option("#id_category", label="路灯")
    page.fill("#id_text", "柳荫路 8 号门口的路灯一直不亮，晚上老人出门看不清台阶。")
    page.fill("#id_address", "临江区柳荫路 8 号")
    page.set_input_files("#id_photos", str(photo))

    phone.set_offline(True)
    page.get_by_role("button", name="提交诉求").click()

    status = page.locator("#offline-reports")
    expect(status).to_contain_text("没有网络连接")
    assert Report.objects.count() == 0
    expect(page.locator("#id_text")).to_have_value("")  # kept on the phone, the form is free again

    phone.set_offline(False)  # the browser says "online": the kept report goes
    expect(status).to_contain_text("已发送")
    code = re.search(r"[0-9A-Z]{13}", status.inner_text())[0]
    report = Report.objects.get()
    assert report.tracking_code == code and report.channel == Channel.API
    assert report.text.startswith("柳荫路 8 号门口的路灯") and report.photos.count() == 1

    # Online again later, on another page: the phone holds nothing more, nothing is sent twice.
    page.goto("/")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_load_state("networkidle")
    kept = page.evaluate(
        """() => new Promise((resolve) => { const r = indexedDB.open("civicworks-offline", 1);
           r.onsuccess = () => { const q = r.result.transaction("reports").objectStore("reports").count();
                                 q.onsuccess = () => resolve(q.result); }; })"""
    )
    assert kept == 0 and Report.objects.count() == 1
    page.goto(f"/track/{code}/")
    expect(page.locator("main h1")).to_be_visible()
    assert errors == []
