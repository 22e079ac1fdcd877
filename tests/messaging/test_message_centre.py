"""The message centre: unread first, read last; filters; badge; opening a message reads it and leads on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from sales_erp.messaging.models import Message, MessageKind
from sales_erp.messaging.selectors import unread_badge
from sales_erp.messaging.services import message_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox():
    me = UserFactory.create(username="t_me")
    other = UserFactory.create(username="t_other")
    [old_read] = message_send(recipients=[me], kind=MessageKind.TASK, title="旧的已读", link="/desk/workflow/1/")
    [task] = message_send(recipients=[me], kind=MessageKind.TASK, title="待办一", link="/desk/workflow/2/")
    [funnel] = message_send(recipients=[me], kind=MessageKind.FUNNEL, title="客户降级", link="/desk/")
    [others] = message_send(recipients=[other], kind=MessageKind.TASK, title="别人的")
    Message.objects.filter(pk=old_read.pk).update(
        read_at=timezone.now(), created_at=timezone.now() + timedelta(minutes=5)
    )
    Message.objects.filter(pk=task.pk).update(created_at=timezone.now() - timedelta(days=3))
    return {"me": me, "other": other, "old_read": old_read, "task": task, "funnel": funnel, "others": others}


def titles(response) -> list[str]:
    return [m.title for m in response.context["page"]]


def test_unread_first_read_last_and_only_mine(client, inbox):
    client.force_login(inbox["me"])
    response = client.get("/desk/messages/")
    assert titles(response) == ["客户降级", "待办一", "旧的已读"]  # the read one sorts last although newest
    assert response.context["unread"] == 2


def test_filters_by_type_state_and_date(client, inbox):
    client.force_login(inbox["me"])
    assert titles(client.get("/desk/messages/?kind=funnel")) == ["客户降级"]
    assert titles(client.get("/desk/messages/?state=read")) == ["旧的已读"]
    assert titles(client.get("/desk/messages/?state=unread")) == ["客户降级", "待办一"]
    today = timezone.localdate().isoformat()
    assert titles(client.get(f"/desk/messages/?date_from={today}")) == ["客户降级", "旧的已读"]
    before = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert titles(client.get(f"/desk/messages/?date_to={before}")) == ["待办一"]


def test_opening_marks_read_and_leads_to_the_object(client, inbox):
    client.force_login(inbox["me"])
    response = client.get(f"/desk/messages/{inbox['task'].pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/desk/workflow/2/"
    inbox["task"].refresh_from_db()
    assert inbox["task"].read_at is not None
    assert client.get(f"/desk/messages/{inbox['others'].pk}/open/").status_code == 404
    inbox["others"].refresh_from_db()
    assert inbox["others"].read_at is None


def test_mark_selected_and_all_read(client, inbox):
    client.force_login(inbox["me"])
    client.post("/desk/messages/", {"message": [inbox["funnel"].pk, inbox["others"].pk]})
    assert set(Message.objects.filter(read_at__isnull=True).values_list("title", flat=True)) == {"待办一", "别人的"}
    client.post("/desk/messages/", {"all": "1"})
    assert list(Message.objects.filter(read_at__isnull=True).values_list("title", flat=True)) == ["别人的"]


def test_badge_counts_unread(inbox):
    request = RequestFactory().get("/")
    request.user = inbox["me"]
    assert unread_badge(request) == "2"
    Message.objects.filter(recipient=inbox["me"]).update(read_at=timezone.now())
    assert unread_badge(request) == ""


def test_menu_shows_the_message_centre_with_its_badge(client, inbox):
    client.force_login(inbox["me"])
    html = client.get("/desk/").content.decode()
    assert "消息中心" in html and "/desk/messages/" in html
