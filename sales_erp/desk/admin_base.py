"""Base classes for every desk page, so all of them look alike and all show their audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import unquote
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, StackedInline, TabularInline


class DeskAdmin(SimpleHistoryAdmin, ModelAdmin):
    """A desk page for a business model: unfold's look plus the record's history (who, what, when)."""

    list_per_page = 50
    list_fullwidth = True
    warn_unsaved_form = True

    # DESIGN §1: asking for a record one may not see is a 404 — not the admin's redirect with "does not
    # exist", and not the history page, which would otherwise show a hidden record from its history rows.
    def _get_obj_does_not_exist_redirect(self, request: HttpRequest, opts: Any, object_id: str) -> HttpResponse:
        raise Http404

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        # simple_history loads one version straight from the history table, past get_queryset.
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class DeskTabularInline(TabularInline):
    extra = 0


class DeskStackedInline(StackedInline):
    extra = 0


class KeysFirstPaginator(Paginator):
    """A change list's pages for a table of millions: a page reads its rows' primary keys first — the
    sort and the visibility filter then run on an index alone — and the rows themselves by those keys.
    (MariaDB otherwise sorts the whole row of every visible bill to show 50: 600 ms for a salesperson's
    5,400 bills at 1,080,000, against about 100 ms this way.)"""

    def page(self, number: Any) -> Page:
        page = super().page(number)
        objects = page.object_list
        if isinstance(objects, QuerySet):
            keys = list(objects.values_list("pk", flat=True))
            rows = {row.pk: row for row in self.object_list.filter(pk__in=keys)}  # type: ignore[attr-defined]
            page.object_list = [rows[key] for key in keys if key in rows]
        return page
