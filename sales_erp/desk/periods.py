"""Business dates to the aware datetimes that bound them (Asia/Shanghai).

Filters on a datetime column by a date use these bounds, never `__date` lookups: MariaDB answers
`__date` with CONVERT_TZ, which is NULL unless the server has its time-zone tables loaded.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def date_range_q(field: str, *, start: date | None = None, end: date | None = None) -> Q:
    """`field` within the days start..end inclusive (either may be open)."""
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": day_start(start)})
    if end is not None:
        q &= Q(**{f"{field}__lt": day_start(end + timedelta(days=1))})
    return q
