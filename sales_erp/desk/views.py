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

from sales_erp.org.models import User


class DeskView(TemplateView):
    title = ""

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

    @property
    def user(self) -> User:
        """The signed-in staff user (dispatch lets nobody else in)."""
        user = self.request.user
        assert isinstance(user, User)
        return user

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(admin.site.each_context(self.request))
        context.setdefault("title", self.title)
        return context
