"""Attachments: any number, at most 100 MB per instance in total; over the limit nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sales_erp.workflow.models import ATTACHMENT_LIMIT, Attachment, ProcessInstance
from sales_erp.workflow.services import instance_start
from tests.workflow.state import state

pytestmark = pytest.mark.django_db

FORM = {"amount": "120.50", "kind": "travel", "note": "上海出差"}
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def upload(name: str, size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * size, content_type="application/octet-stream")


def test_limit_is_100_mebibytes():
    assert ATTACHMENT_LIMIT == 100 * MB


@pytest.mark.slow
def test_exactly_100_mb_is_accepted_and_one_more_byte_is_refused(client, expense, people, media):
    client.force_login(people["s1"])
    response = client.post(
        "/desk/workflow/start/expense/",
        {**FORM, "attachments": [upload("合同.pdf", 60 * MB), upload("附件二.zip", 40 * MB)]},
    )
    assert response.status_code == 302
    instance = ProcessInstance.objects.get()
    rows = list(instance.attachments.values_list("name", "size", "uploaded_by__username"))
    assert rows == [("合同.pdf", 60 * MB, "t_sales1"), ("附件二.zip", 40 * MB, "t_sales1")]
    assert stored_files(media) == ["合同.pdf", "附件二.zip"]
    page = client.get(f"/desk/workflow/{instance.pk}/").content.decode()
    assert "合同.pdf" in page and "60.0\xa0MB" in page and "已用 100.0\xa0MB" in page

    before = state()
    response = client.post(f"/desk/workflow/{instance.pk}/attachments/", {"attachments": [upload("多一个字节.txt", 1)]})
    assert response.status_code == 400
    assert "附件总大小 100.0\xa0MB 超过每个流程 100 MB 的上限" in response.content.decode()
    assert state() == before
    assert stored_files(media) == ["合同.pdf", "附件二.zip"]


@pytest.mark.slow
def test_start_with_100_mb_plus_one_byte_keeps_nothing(client, expense, people, media):
    client.force_login(people["s1"])
    before = state()
    response = client.post(
        "/desk/workflow/start/expense/",
        {**FORM, "attachments": [upload("a.bin", 50 * MB), upload("b.bin", 50 * MB + 1)]},
    )
    assert response.status_code == 400
    assert "超过每个流程 100 MB 的上限" in response.content.decode()
    assert state() == before
    assert stored_files(media) == []


def test_files_are_removed_when_an_effect_refuses_the_start(expense, people, media):
    from tests.workflow import process

    process.REFUSE.add("submit")
    with pytest.raises(Exception, match=process.REFUSAL):
        instance_start(code="expense", initiator=people["s1"], form_data=FORM, attachments=[upload("a.txt", 10)])
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_handler_adds_an_attachment_and_outsiders_cannot_download(client, expense, people, media):
    instance = instance_start(code="expense", initiator=people["s1"], form_data=FORM)
    client.force_login(people["leader"])
    assert (
        client.post(f"/desk/workflow/{instance.pk}/attachments/", {"attachments": [upload("批注.txt", 5)]}).status_code
        == 302
    )
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.size, attachment.uploaded_by) == ("批注.txt", 5, people["leader"])
    assert instance.timeline.filter(action="attach", actor=people["leader"], opinion="批注.txt").exists()
    download = client.get(f"/desk/workflow/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"xxxxx"
    client.force_login(people["s2"])
    assert client.get(f"/desk/workflow/attachments/{attachment.pk}/").status_code == 404
    assert (
        client.post(f"/desk/workflow/{instance.pk}/attachments/", {"attachments": [upload("x.txt", 1)]}).status_code
        == 404
    )
    client.force_login(people["finance"])  # can see nothing yet: no task
    assert client.get(f"/desk/workflow/attachments/{attachment.pk}/").status_code == 404
    assert Attachment.objects.count() == 1
