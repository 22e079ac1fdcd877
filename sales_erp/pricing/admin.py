"""Desk pages of price schedules (价格表/调价). A schedule is created on the 新建调价 page (the price_change
form) and changes state only through the services (生效, 作废), so the admin page itself is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from unfold.decorators import action, display

from sales_erp.desk.admin_base import DeskAdmin, DeskTabularInline
from sales_erp.pricing.models import (
    SCHEDULE_TRANSITIONS,
    CountryPrice,
    PriceSchedule,
    PriceScheduleAttachment,
    PriceTier,
    ScheduleStatus,
)
from sales_erp.pricing.selectors import schedules_visible_to

STATUS_COLOURS = {
    ScheduleStatus.DRAFT: "info",
    ScheduleStatus.PENDING: "warning",
    ScheduleStatus.ACTIVE: "success",
    ScheduleStatus.VOID: "danger",
}


class ReadOnlyInline(DeskTabularInline):
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # whoever may see the schedule sees its tiers, table and attachments

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PriceTierInline(ReadOnlyInline):
    model = PriceTier
    fields = readonly_fields = ["carrier", "lower", "upper", "price"]


class CountryPriceInline(ReadOnlyInline):
    model = CountryPrice
    fields = readonly_fields = ["country_name", "country", "price"]


class AttachmentInline(ReadOnlyInline):
    model = PriceScheduleAttachment
    fields = readonly_fields = ["file", "size", "uploaded_by", "uploaded_at"]


@admin.register(PriceSchedule)
class PriceScheduleAdmin(DeskAdmin):
    list_display = ["pk", "customer", "product", "account", "price_type", "valid_from", "valid_to", "status_badge"]
    list_display_links = ["pk", "product"]
    list_filter = ["status", "price_type", "product__kind"]
    search_fields = ["product__code", "product__name", "product__customer__name", "account__code"]
    fields = [
        "product",
        "account",
        "price_type",
        "valid_from",
        "valid_to",
        "million_ratio",
        "province_ratio",
        "remarks",
        "status",
        "created_by",
        "created_at",
        "activated_by",
        "activated_at",
        "process",
    ]
    readonly_fields = fields
    inlines = [PriceTierInline, CountryPriceInline, AttachmentInline]
    actions_list = ["create_page", "quote_page"]
    actions_detail = ["activate", "void", "quote"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PriceSchedule]:
        return schedules_visible_to(request.user)  # type: ignore[arg-type]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the 新建调价 page (the price_change form) creates schedules

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # Permission methods of the buttons (unfold's @action names them; see billing.admin.ReadOnlyAdmin).
    def has_create_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("pricing.view_priceschedule")  # 新建调价 starts the price_change process

    def has_activate_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.status_allows(request, obj, ScheduleStatus.ACTIVE)

    def has_void_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.status_allows(request, obj, ScheduleStatus.VOID)

    def status_allows(self, request: HttpRequest, object_id: Any, target: str) -> bool:
        """Offer 生效/作废 only where the transition map allows it (detail actions pass the object id)."""
        if not request.user.has_perm("pricing.activate_priceschedule"):
            return False
        status = PriceSchedule.objects.filter(pk=object_id).values_list("status", flat=True).first()
        return status is not None and target in SCHEDULE_TRANSITIONS[status]

    @admin.display(description="客户", ordering="product__customer__name")
    def customer(self, schedule: PriceSchedule) -> str:
        return schedule.product.customer.name

    @display(description="状态", label=STATUS_COLOURS)
    def status_badge(self, schedule: PriceSchedule) -> tuple[str, str]:
        return schedule.status, schedule.get_status_display()

    @action(description="新建调价", icon="add", permissions=["create"])
    def create_page(self, request: HttpRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("pricing:schedule_create"))

    @action(description="报价计算器", icon="calculate", permissions=["view"])
    def quote_page(self, request: HttpRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("pricing:quote"))

    @action(description="生效", icon="check_circle", permissions=["activate"])
    def activate(self, request: HttpRequest, object_id: str) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("pricing:schedule_action", args=[object_id, "activate"]))

    @action(description="作废", icon="block", permissions=["void"])
    def void(self, request: HttpRequest, object_id: str) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("pricing:schedule_action", args=[object_id, "void"]))

    @action(description="报价", icon="calculate", permissions=["view"])
    def quote(self, request: HttpRequest, object_id: str) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("pricing:quote") + f"?schedule={object_id}")
