"""Sending messages. Callers run inside their own transaction; the rows commit (or vanish) with it."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from sales_erp.messaging.models import Message, MessageKind
from sales_erp.org.models import User


def message_send(
    *,
    recipients: Iterable[User | None],
    kind: MessageKind,
    title: str,
    body: str = "",
    target: models.Model | None = None,
    link: str = "",
) -> list[Message]:
    """One message per distinct recipient (None entries, e.g. a missing superior, are skipped)."""
    unique = {user.pk: user for user in recipients if user is not None}
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    rows = [
        Message(
            recipient=user,
            kind=kind,
            title=title[:200],
            body=body,
            link=link,
            target_type=target_type,
            target_id=target.pk if target is not None else None,
        )
        for user in unique.values()
    ]
    return Message.objects.bulk_create(rows)


def message_mark_read(*, user: User, message_ids: Iterable[int]) -> int:
    return Message.objects.filter(recipient=user, pk__in=list(message_ids), read_at__isnull=True).update(
        read_at=timezone.now()
    )


def messages_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's messages read (all unread ones when `ids` is None); returns how many changed."""
    rows = Message.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
