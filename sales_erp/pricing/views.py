"""Desk pages of pricing: 新建调价 (the price_change form), 生效/作废 a schedule, and the quote calculator."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from sales_erp.desk.views import DeskView
from sales_erp.pricing.forms import PriceChangeForm, QuoteForm
from sales_erp.pricing.models import PriceSchedule
from sales_erp.pricing.quotes import Quote, quote_compute
from sales_erp.pricing.selectors import schedules_visible_to
from sales_erp.pricing.services import (
    PricingRefused,
    price_schedule_activate,
    price_schedule_create,
    price_schedule_void,
)

CREATED = "已保存{schedule}（草稿）"
ACTIVATED = "{schedule}已生效"
VOIDED = "{schedule}已作废"


def schedule_url(schedule: PriceSchedule) -> str:
    return reverse("admin:pricing_priceschedule_change", args=[schedule.pk])


class PriceScheduleCreateView(DeskView):
    title = "新建调价"
    template_name = "pricing/schedule_form.html"

    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("pricing.add_priceschedule")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PriceChangeForm(user=self.user, initial={"product": request.GET.get("product")})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PriceChangeForm(request.POST, request.FILES, user=self.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            schedule = price_schedule_create(**form.schedule_kwargs(), user=self.user)
        except PricingRefused as exc:
            form.add_error(None, exc.message)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, CREATED.format(schedule=schedule))
        if "activate" in request.POST and request.user.has_perm("pricing.activate_priceschedule"):
            try:
                price_schedule_activate(schedule=schedule, user=self.user)
                messages.success(request, ACTIVATED.format(schedule=schedule))
            except PricingRefused as exc:
                messages.error(request, exc.message)
        return HttpResponseRedirect(schedule_url(schedule))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_activate"] = self.request.user.has_perm("pricing.activate_priceschedule")
        return context


ACTIONS = {
    "activate": ("使调价生效", price_schedule_activate, ACTIVATED),
    "void": ("作废调价", price_schedule_void, VOIDED),
}


class ScheduleActionView(DeskView):
    """生效 / 作废: a confirmation page (GET) and the action itself (POST)."""

    template_name = "pricing/schedule_action.html"

    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("pricing.activate_priceschedule")

    def schedule(self) -> PriceSchedule:
        if self.kwargs["action"] not in ACTIONS:
            raise Http404
        return get_object_or_404(schedules_visible_to(self.user), pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        schedule = self.schedule()
        title = ACTIONS[kwargs["action"]][0]
        return self.render_to_response(self.get_context_data(schedule=schedule, title=title, action=kwargs["action"]))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        schedule = self.schedule()
        _, service, done = ACTIONS[kwargs["action"]]
        try:
            schedule = service(schedule=schedule, user=self.user)
            messages.success(request, done.format(schedule=schedule))
        except PricingRefused as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(schedule_url(schedule))


class QuoteView(DeskView):
    title = "报价计算器"
    template_name = "pricing/quote.html"

    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("pricing.view_priceschedule")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = {"schedule": request.GET.get("schedule"), "count": request.GET.get("count", "")}
        form = QuoteForm(user=self.user, initial=initial)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = QuoteForm(request.POST, user=self.user)
        quote: Quote | None = None
        if form.is_valid():
            quote = form_quote(form)
        return self.render_to_response(self.get_context_data(form=form, quote=quote))


def form_quote(form: QuoteForm) -> Quote:
    data = form.cleaned_data
    return quote_compute(price_type=data["quote_type"], tiers=data["quote_tiers"], count=data["count"])
