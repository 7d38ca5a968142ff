"""Coordination meetings: scoped console, action item reminders once, the public summary."""

from datetime import date

from django.core import mail
from django.urls import reverse

from participation import notices, services
from participation.models import ActionItem, Meeting


def _item(meeting, department, due: date, text: str = "协调管线迁改", **extra) -> ActionItem:
    return ActionItem.objects.create(meeting=meeting, text=text, owner_department=department, due_date=due, **extra)


def test_owner_sees_its_items_in_the_console(client, meeting, lead_department, other_department, other_official):
    mine = _item(meeting, other_department, date(2026, 11, 20))
    theirs = _item(meeting, lead_department, date(2026, 11, 20), text="加装电梯审批提速")
    client.force_login(other_official)
    page = client.get(reverse("admin:participation_actionitem_changelist")).content.decode()
    assert mine.text in page and theirs.text not in page


def test_owner_marks_done_other_department_refused(client, meeting, other_department, official, other_official):
    item = _item(meeting, other_department, date(2026, 11, 20))
    client.force_login(official)  # the chair's official, not the owner
    client.post(
        reverse("admin:participation_actionitem_changelist"), {"action": "mark_done", "_selected_action": [item.pk]}
    )
    item.refresh_from_db()
    assert item.done_at is None
    client.force_login(other_official)
    client.post(
        reverse("admin:participation_actionitem_changelist"), {"action": "mark_done", "_selected_action": [item.pk]}
    )
    item.refresh_from_db()
    assert item.done_at is not None


def test_reminder_before_due_and_escalation_after_once_each(meeting, other_department):
    item = _item(meeting, other_department, date(2026, 11, 20))
    assert notices.remind_action_items(today=date(2026, 11, 10)) == 0  # too early
    assert notices.remind_action_items(today=date(2026, 11, 18)) == 1
    assert notices.remind_action_items(today=date(2026, 11, 19)) == 0  # already reminded
    assert notices.remind_action_items(today=date(2026, 11, 21)) == 1  # overdue: escalated
    assert notices.remind_action_items(today=date(2026, 11, 25)) == 0
    escalation = mail.outbox[-1]
    assert "zjj@jinchuan.example.cn" in escalation.to  # the chair is told too
    services.action_item_complete(item=item, by=_chair_admin(), outcome="已完成")
    assert notices.remind_action_items(today=date(2026, 11, 26)) == 0


def _chair_admin():
    from civicworks.accounts.models import Role, User

    return User.objects.filter(role=Role.CITY_ADMIN).first() or User.objects.create(
        username="admin-x", role=Role.CITY_ADMIN
    )


def test_only_the_chair_publishes(client, meeting, official, other_official):
    meeting.minutes = "会议议定三项工作。"
    meeting.save()
    client.force_login(other_official)  # attends, does not chair
    url = reverse("admin:participation_meeting_changelist")
    client.post(url, {"action": "publish", "_selected_action": [meeting.pk]})
    meeting.refresh_from_db()
    assert not meeting.is_published
    assert client.get(reverse("participation:meeting-detail", args=[meeting.pk])).status_code == 404
    client.force_login(official)
    client.post(url, {"action": "publish", "_selected_action": [meeting.pk]})
    meeting.refresh_from_db()
    assert meeting.is_published
    page = client.get(reverse("participation:meeting-detail", args=[meeting.pk])).content.decode()
    assert "会议议定三项工作" in page


def test_attending_department_cannot_edit_the_meeting(client, meeting, other_official):
    client.force_login(other_official)
    url = reverse("admin:participation_meeting_change", args=[meeting.pk])
    client.post(url, {"title": "改名", "date": "2026-11-05", "chair_department": meeting.chair_department_id})
    meeting.refresh_from_db()
    assert meeting.title == "十一月联席会议"


def test_query_counts_of_meeting_pages(
    client, lead_department, other_department, project, django_assert_max_num_queries
):
    for n in (5, 50):
        Meeting.objects.all().delete()
        for i in range(n):
            m = Meeting.objects.create(title=f"会议{i}", date=date(2026, 10, 1), chair_department=lead_department,
                                       minutes="纪要", is_published=True, published_at="2026-10-02T10:00+08:00")  # fmt: skip
            m.attending.add(other_department)
            _item(m, other_department, date(2026, 10, 30), project=project)
        with django_assert_max_num_queries(4):
            assert client.get(reverse("participation:meeting-list")).status_code == 200
        with django_assert_max_num_queries(5):
            assert client.get(reverse("participation:meeting-detail", args=[m.pk])).status_code == 200
