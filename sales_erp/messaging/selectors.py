"""Reads of the message centre: unread first, read last (V19 #8), with filters and the menu badge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest

from sales_erp.desk.periods import date_range_q
from sales_erp.messaging.models import Message
from sales_erp.org.models import User


@dataclass(frozen=True)
class MessageFilter:
    kind: str = ""
    state: str = ""  # "unread", "read" or "" for both
    date_from: date | None = None
    date_to: date | None = None


def messages_for(user: User, f: MessageFilter | None = None) -> QuerySet[Message]:
    f = f or MessageFilter()
    rows = Message.objects.filter(recipient=user)  # Meta.ordering: unread first, then newest first
    if f.kind:
        rows = rows.filter(kind=f.kind)
    if f.state == "unread":
        rows = rows.filter(read_at__isnull=True)
    elif f.state == "read":
        rows = rows.filter(read_at__isnull=False)
    return rows.filter(date_range_q("created_at", start=f.date_from, end=f.date_to))


def unread_count(user: User) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def unread_badge(request: HttpRequest) -> str:
    count = unread_count(request.user)  # type: ignore[arg-type]
    return str(count) if count else ""
