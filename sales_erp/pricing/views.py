"""Desk pages of pricing: 新建调价 (starts the price_change process), 生效/作废 a schedule, the quote calculator."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from sales_erp.desk.views import DeskView
from sales_erp.pricing.forms import PriceSchedulePageForm, QuoteForm
from sales_erp.pricing.models import PriceSchedule
from sales_erp.pricing.quotes import Quote, quote_compute
from sales_erp.pricing.selectors import schedules_visible_to
from sales_erp.pricing.services import (
    PricingRefused,
    price_schedule_activate,
    price_schedule_create,
    price_schedule_void,
)
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.models import ProcessDefinition
from sales_erp.workflow.services import instance_start

PROCESS_CODE = "price_change"

CREATED = "已保存{schedule}（草稿）"
STARTED = "销售调价流程 {number} 已发起，当前节点：{node}；流程归档后调价生效"
ACTIVATED = "{schedule}已生效"
VOIDED = "{schedule}已作废"


def schedule_url(schedule: PriceSchedule) -> str:
    return reverse("admin:pricing_priceschedule_change", args=[schedule.pk])


class PriceScheduleCreateView(DeskView):
    """新建调价: the price_change form; 立即发起 starts the 销售调价流程 (the schedule takes effect when it is
    archived). Finance/admins (pricing.add_priceschedule) may also save a schedule outside the process
    (保存为草稿, and with the activate permission 保存并生效) — corrections and prices agreed elsewhere."""

    title = "新建调价"
    template_name = "pricing/schedule_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PriceSchedulePageForm(user=self.user, initial={"product": request.GET.get("product")})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PriceSchedulePageForm(request.POST, request.FILES, user=self.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        direct = ("draft" in request.POST or "activate" in request.POST) and self.may_save_directly()
        if not direct:
            return self.process_start(form)
        try:
            schedule = price_schedule_create(
                **form.schedule_kwargs(), attachments=form.cleaned_data["attachments"], user=self.user
            )
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

    def process_start(self, form: PriceSchedulePageForm) -> HttpResponse:
        try:
            instance = instance_start(
                code=PROCESS_CODE,
                initiator=self.user,
                form_data=form.form_data(),
                target=form.cleaned_data["product"],
                attachments=form.cleaned_data["attachments"],
                field_files=form.uploads(),
            )
        except ProcessRefused as refusal:
            form.add_error(None, refusal.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(self.request, STARTED.format(number=instance.number, node=instance.current_node_name))
        return HttpResponseRedirect(reverse("workflow:instance", args=[instance.pk]))

    def may_save_directly(self) -> bool:
        return self.request.user.has_perm("pricing.add_priceschedule")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        definition = ProcessDefinition.objects.filter(code=PROCESS_CODE, is_active=True).first()
        context["nodes"] = list(definition.nodes.all()) if definition else []
        context["can_save"] = self.may_save_directly()
        context["can_activate"] = context["can_save"] and self.request.user.has_perm("pricing.activate_priceschedule")
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
