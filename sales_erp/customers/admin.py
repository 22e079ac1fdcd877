"""Desk pages for customer data (信息添加): lists and forms per manual 1.1–1.4, the funnel's records and
its settings. Every queryset goes through the visibility selectors: a record the user may not see is a
404 on every path (list, change, history, delete, autocomplete, export), never a 403 or a redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from import_export.admin import ExportMixin
from import_export.resources import ModelResource
from unfold.contrib.import_export.forms import ExportForm

from sales_erp.customers.forms import (
    CUSTOMER_FIELDS,
    CUSTOMER_SET_BY_PROCESSES,
    ContactLogForm,
    CustomerForm,
    FunnelSettingsForm,
    ProductForm,
)
from sales_erp.customers.models import (
    Account,
    AccountRequest,
    AccountStatus,
    ChannelRegistration,
    Contact,
    ContactLog,
    Contract,
    Customer,
    CustomerDepartment,
    FunnelSettings,
    InvoiceTitle,
    Product,
    TierChange,
)
from sales_erp.customers.names import company_name_key
from sales_erp.customers.selectors import (
    customer_edit_q,
    customer_page_url,
    customer_search,
    customers_editable_by,
    visible_through_customer,
)
from sales_erp.customers.services import (
    account_block,
    account_unblock,
    customer_create,
    customer_update,
    product_save,
)
from sales_erp.desk.admin_base import DeskAdmin, DeskStackedInline, DeskTabularInline
from sales_erp.org.models import User
from sales_erp.org.roles import Role


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def editable(request: HttpRequest, customer_id: int | None) -> bool:
    """May the user change this customer's data (not merely see it)?"""
    q = customer_edit_q(user_of(request))
    if q is None or customer_id is None:
        return True
    return Customer.objects.filter(q, pk=customer_id).exists()


class CustomerScopedAdmin(DeskAdmin):
    """Base of every admin over customer data. `customer_path` leads from the model to its customer
    ("" for Customer itself, "customer__", "product__customer__")."""

    customer_path = "customer__"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return visible_through_customer(user_of(request), super().get_queryset(request), prefix=self.customer_path)

    def customer_id_of(self, obj: Any) -> int | None:
        return obj.customer_id

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django's admin redirects to the index with "doesn't exist"; a hidden record must be a plain 404.
        raise Http404

    def _require_visible(self, request: HttpRequest, object_id: str) -> None:
        try:
            visible = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._require_visible(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        # Django checks the delete permission before looking the object up: look first, so a hidden
        # record is a 404 for everyone, as on every other path.
        self._require_visible(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        # simple_history falls back to the history rows when the queryset hides the object: check first.
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or editable(request, self.customer_id_of(obj)))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or editable(request, self.customer_id_of(obj)))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "customer":
            kwargs["queryset"] = customers_editable_by(user_of(request))
        elif db_field.name == "product":
            q = customer_edit_q(user_of(request), prefix="customer__")
            kwargs["queryset"] = Product.objects.filter(q) if q is not None else Product.objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ChildInlineMixin:
    """Inlines on the customer form: changeable only where the parent customer is."""

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (obj is None or editable(request, obj.pk))  # type: ignore[misc]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or editable(request, obj.pk))  # type: ignore[misc]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or editable(request, obj.pk))  # type: ignore[misc]


class InvoiceTitleInline(ChildInlineMixin, DeskStackedInline):
    model = InvoiceTitle
    fields = [("company_name", "tax_id"), ("address", "phone"), ("bank", "bank_account")]
    verbose_name = "开票信息"
    verbose_name_plural = "开票信息（普票需公司名称和税务号，专票需全部填写）"


class DepartmentInline(ChildInlineMixin, DeskTabularInline):
    model = CustomerDepartment
    fields = ["name"]
    verbose_name_plural = "部门"


class ContactInline(ChildInlineMixin, DeskStackedInline):
    model = Contact
    fields = [("name", "title"), "department", ("mobile1", "mobile2"), ("landline", "email"), ("wechat", "qq"), "note"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if "department" in formset.form.base_fields:
            departments = CustomerDepartment.objects.filter(customer=obj) if obj else CustomerDepartment.objects.none()
            formset.form.base_fields["department"].queryset = departments
            formset.form.base_fields["department"].help_text = "" if obj else "保存客户后即可选择部门"
        return formset


class CustomerResource(ModelResource):
    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "tier",
            "owner__username",
            "business_contact",
            "mobile",
            "phone",
            "email",
            "region",
            "nature",
            "tax_id",
            "contract_date",
            "first_use_date",
            "created_at",
        ]


@admin.register(Customer)
class CustomerAdmin(ExportMixin, CustomerScopedAdmin):
    customer_path = ""

    def customer_id_of(self, obj: Customer) -> int | None:
        return obj.pk

    def get_valid_export_item_pks(self, request):
        return self.get_queryset(request).values_list("pk", flat=True)

    form = CustomerForm
    resource_classes = [CustomerResource]
    export_form_class = ExportForm
    list_display = ["page_link", "tier", "owner", "region", "nature", "business_contact", "mobile", "tier_since"]
    list_filter = ["tier", ("owner", admin.RelatedOnlyFieldListFilter), "region", "nature"]
    search_fields = ["name", "tax_id", "business_contact", "mobile"]
    search_help_text = "输入公司名称回车，直接打开第一个匹配的客户"
    show_full_result_count = False  # 100,000 customers: no second COUNT(*) per filtered page
    list_select_related = ["owner"]  # not select_related() of every foreign key
    ordering = ["name", "pk"]  # as customer_name_idx holds it (the admin would add "-pk" and sort them all)
    inlines = [InvoiceTitleInline, DepartmentInline, ContactInline]
    readonly_fields = [*CUSTOMER_SET_BY_PROCESSES, "tier_since"]
    fieldsets = [
        ("信息", {"fields": CUSTOMER_FIELDS}),
        ("归属", {"fields": ["owner", "tier_since"]}),
    ]

    @admin.display(description="公司名称", ordering="name")
    def page_link(self, obj: Customer) -> str:
        return format_html('<a class="font-medium text-primary-600" href="{}">{}</a>', customer_page_url(obj), obj.name)

    def view_on_site(self, obj: Customer) -> str:
        return customer_page_url(obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not user_of(request).sees_all_customers:
            fields.append("owner")  # a salesperson's new customer is their own (services.customer_create)
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = user_of(request)
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            salespeople = User.objects.filter(groups__name__in=[Role.SALES, Role.SALES_LEADER], is_active=True)
            kwargs["queryset"] = salespeople.distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        if "field_name" in request.GET:
            # The autocomplete of a form field (a log's or product's customer): only customers one may change.
            q = customer_edit_q(user_of(request))
            queryset = queryset if q is None else queryset.filter(q)
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        key = company_name_key(search_term)
        if key:
            results = results | queryset.filter(name_key__contains=key)
        return results, may_have_duplicates

    def changelist_view(self, request, extra_context=None):
        # V19 #3: searching the customer list opens the first match; "all=1" shows the whole list.
        query = request.GET.get("q", "").strip()
        if query and "all" not in request.GET and not request.GET.get("_popup"):
            matches = customer_search(user=user_of(request), query=query)
            first = matches.first()
            if first is not None:
                count = matches.count()
                if count > 1:
                    listing = reverse("admin:customers_customer_changelist") + "?" + urlencode({"q": query, "all": 1})
                    messages.info(
                        request,
                        format_html(
                            '找到 {} 个客户，已打开第一个。<a class="underline" href="{}">查看全部</a>', count, listing
                        ),
                    )
                return HttpResponseRedirect(customer_page_url(first))
        if "all" in request.GET:
            request.GET = request.GET.copy()
            request.GET.pop("all")
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        # The form has already run the same checks; the services repeat them as the last word.
        if change:
            customer_update(customer=obj, user=user_of(request))
        else:
            customer_create(customer=obj, user=user_of(request))

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        messages.success(request, f"客户“{obj.name}”已添加，类别为意向客户。")
        return HttpResponseRedirect(customer_page_url(obj))


class ContactInlineOfDepartment(DeskStackedInline):
    model = Contact
    fields = [("name", "title"), ("mobile1", "mobile2", "landline"), ("email", "wechat", "qq"), "note"]
    extra = 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A contact added here belongs to the department's customer.
        formset.form.base_fields.pop("customer", None)
        return formset


@admin.register(CustomerDepartment)
class CustomerDepartmentAdmin(CustomerScopedAdmin):
    """Manual 1.2: a customer's department with its contacts."""

    list_display = ["name", "customer", "contact_count"]
    search_fields = ["name", "customer__name"]
    autocomplete_fields = ["customer"]
    inlines = [ContactInlineOfDepartment]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(contacts_n=Count("contacts"))

    @admin.display(description="联系人数")
    def contact_count(self, obj: CustomerDepartment) -> int:
        return obj.contacts_n  # type: ignore[attr-defined]

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            inline_form.instance.customer_id = form.instance.customer_id
        super().save_formset(request, form, formset, change)


@admin.register(Contact)
class ContactAdmin(CustomerScopedAdmin):
    list_display = ["name", "title", "customer", "department", "mobile1", "landline", "email", "wechat", "qq"]
    search_fields = ["name", "customer__name", "mobile1", "mobile2", "landline", "email", "wechat", "qq"]
    list_filter = [("customer__owner", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["customer"]
    fields = [
        "customer",
        "department",
        ("name", "title"),
        ("mobile1", "mobile2", "landline"),
        ("email", "wechat", "qq"),
        "note",
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            q = customer_edit_q(user_of(request), prefix="customer__")
            kwargs["queryset"] = (
                CustomerDepartment.objects.filter(q) if q is not None else CustomerDepartment.objects.all()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ContactLog)
class ContactLogAdmin(CustomerScopedAdmin):
    form = ContactLogForm
    list_display = ["date", "customer", "contact_name", "form", "short_content", "short_outcome", "author"]
    list_filter = ["form", "date", ("customer__owner", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["customer__name", "contact_name", "content", "outcome"]
    autocomplete_fields = ["customer"]
    date_hierarchy = "date"

    @admin.display(description="联系内容")
    def short_content(self, obj: ContactLog) -> str:
        return obj.content if len(obj.content) <= 40 else obj.content[:40] + "…"

    @admin.display(description="工作成果")
    def short_outcome(self, obj: ContactLog) -> str:
        return obj.outcome if len(obj.outcome) <= 40 else obj.outcome[:40] + "…"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = user_of(request)
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        messages.success(request, "联系日志已保存。")
        return HttpResponseRedirect(customer_page_url(obj.customer_id))


class AccountInline(DeskTabularInline):
    model = Account
    fields = ["code", "status", "created_at"]
    readonly_fields = ["code", "status", "created_at"]
    verbose_name_plural = "已开通账号（新账号请写在上面的账号框中）"

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(CustomerScopedAdmin):
    form = ProductForm
    list_display = [
        "code",
        "name",
        "customer",
        "kind",
        "settlement",
        "bill_type",
        "bill_day",
        "payment_term_months",
        "account_count",
    ]
    list_filter = ["kind", "settlement", "bill_type", "direct_to_supplier"]
    search_fields = ["code", "name", "customer__name", "accounts__code"]
    autocomplete_fields = ["customer"]
    inlines = [AccountInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(accounts_n=Count("accounts"))

    @admin.display(description="账号数")
    def account_count(self, obj: Product) -> int:
        return obj.accounts_n  # type: ignore[attr-defined]

    def save_model(self, request, obj, form, change):
        product_save(product=obj, account_codes=form.account_codes)

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        messages.success(request, f"产品“{obj.name}”（{obj.code}）已添加。")
        return HttpResponseRedirect(customer_page_url(obj.customer_id) + f"#product-{obj.pk}")


@admin.register(Account)
class AccountAdmin(CustomerScopedAdmin):
    customer_path = "product__customer__"
    list_display = ["code", "product", "customer_name", "status", "created_at"]
    list_filter = ["status", "product__kind"]
    search_fields = ["code", "product__name", "product__code", "product__customer__name"]
    readonly_fields = ["code", "product", "status", "created_at"]
    fields = ["code", "product", "status", "created_at"]
    actions = ["block_accounts", "unblock_accounts"]

    def customer_id_of(self, obj: Account) -> int | None:
        return obj.product.customer_id

    @admin.display(description="客户", ordering="product__customer__name")
    def customer_name(self, obj: Account) -> str:
        return obj.product.customer.name

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product__customer")

    def has_add_permission(self, request):
        return False  # accounts are opened through the product's account box or a test-account process

    @admin.action(description="封停所选账号", permissions=["change"])
    def block_accounts(self, request, queryset):
        self._move(request, queryset.filter(status=AccountStatus.ACTIVE), account_block, "已封停")

    @admin.action(description="解禁所选账号", permissions=["change"])
    def unblock_accounts(self, request, queryset):
        self._move(request, queryset.filter(status=AccountStatus.BLOCKED), account_unblock, "已解禁")

    def _move(self, request, accounts, service, done: str) -> None:
        codes = [service(account=account).code for account in accounts]
        if codes:
            messages.success(request, f"{done}：{'、'.join(codes)}")
        else:
            messages.warning(request, "所选账号的状态无需改变")


class ReadOnlyCustomerDataAdmin(CustomerScopedAdmin):
    """Records written by processes and the funnel: looked at here, never typed in."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(ReadOnlyCustomerDataAdmin):
    list_display = ["number", "customer", "name", "valid_from", "valid_to", "status", "archived_on"]
    list_filter = ["status", "valid_to"]
    search_fields = ["number", "name", "customer__name"]


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyCustomerDataAdmin):
    list_display = ["date", "customer", "from_tier", "to_tier", "rule", "salesperson", "changed_by"]
    list_filter = ["rule", "to_tier", "from_tier", "date", ("salesperson", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["customer__name"]
    date_hierarchy = "date"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer", "salesperson", "changed_by")


class AccountRecordAdmin(ReadOnlyCustomerDataAdmin):
    """What 通道报备 and 客服特殊申请 wrote on an account (operations look them up here)."""

    customer_path = "account__product__customer__"

    def customer_id_of(self, obj: Any) -> int | None:
        return obj.account.product.customer_id

    @admin.display(description="客户", ordering="account__product__customer__name")
    def customer_name(self, obj: Any) -> str:
        return obj.account.product.customer.name

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account__product__customer", "process")


@admin.register(ChannelRegistration)
class ChannelRegistrationAdmin(AccountRecordAdmin):
    list_display = ["account", "customer_name", "signature", "channel_type", "sub_number", "industry", "registered_on"]
    list_filter = ["channel_type", "industry", "registered_on"]
    search_fields = ["account__code", "signature", "sub_number", "account__product__customer__name"]


@admin.register(AccountRequest)
class AccountRequestAdmin(AccountRecordAdmin):
    list_display = ["account", "customer_name", "request_type", "outcome", "start_date", "end_date", "granted_on"]
    list_filter = ["request_type", "granted_on"]
    search_fields = ["account__code", "account__product__customer__name", "description"]


@admin.register(FunnelSettings)
class FunnelSettingsAdmin(DeskAdmin):
    """One row (DESIGN §6 windows and threshold); the list goes straight to it."""

    form = FunnelSettingsForm
    fieldsets = [
        (
            "联系窗口：在窗口内没有联系日志则降级；升级只看进入当前类别之后的联系日志",
            {
                "fields": [
                    ("contract_window", "contract_window_unit"),
                    ("test_window", "test_window_unit"),
                    ("intent_window", "intent_window_unit"),
                    ("silent_window", "silent_window_unit"),
                ]
            },
        ),
        ("合同", {"fields": ["contract_ending_months", "contract_expired_months"]}),
        ("信息完善与预警", {"fields": ["completeness_threshold", "warning_days"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None) -> HttpResponse:
        settings, _ = FunnelSettings.objects.get_or_create(pk=1)
        return HttpResponseRedirect(reverse("admin:customers_funnelsettings_change", args=[settings.pk]))
