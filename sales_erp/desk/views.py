"""The base for desk pages that are not plain admin lists or forms (inbox, customer page, imports …).

A DeskView renders inside the desk's frame (menu, header, theme) like every admin page: its template
extends "desk/page.html". Only active staff reach it; `allowed(request)` narrows it further.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase
from django.views.generic import TemplateView

from sales_erp.desk.search import global_search
from sales_erp.org.models import User


class DeskView(TemplateView):
    title = ""

    @property
    def user(self) -> User:
        """The logged-in staff user (dispatch lets no one else through)."""
        return self.request.user  # type: ignore[return-value]

    def allowed(self, request: HttpRequest) -> bool:
        """Override to restrict the page; a refused user gets 404, never a hint that the page exists."""
        return True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff) or not self.allowed(request):
            raise Http404
        request.current_app = admin.site.name
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(admin.site.each_context(self.request))
        context.setdefault("title", self.title)
        return context


class GlobalSearchView(DeskView):
    """The desk's global search page (the box atop the menu): customers, accounts, bills, processes —
    whatever the providers of hooks.GLOBAL_SEARCH find that the user may see, grouped by kind."""

    template_name = "desk/search.html"
    title = "全局搜索"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        groups: dict[str, list] = {}
        for hit in global_search(user=self.request.user, query=query, limit=20):  # type: ignore[arg-type]
            groups.setdefault(hit.kind, []).append(hit)
        context.update(query=query, groups=groups, total=sum(len(hits) for hits in groups.values()))
        return context
