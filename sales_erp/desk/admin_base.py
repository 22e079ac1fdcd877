"""Base classes for every desk page, so all of them look alike and all show their audit trail."""

from __future__ import annotations

from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, StackedInline, TabularInline


class DeskAdmin(SimpleHistoryAdmin, ModelAdmin):
    """A desk page for a business model: unfold's look plus the record's history (who, what, when)."""

    list_per_page = 50
    list_fullwidth = True
    warn_unsaved_form = True


class DeskTabularInline(TabularInline):
    extra = 0


class DeskStackedInline(StackedInline):
    extra = 0
