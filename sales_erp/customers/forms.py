"""The desk's forms for customer data (manual 1.1–1.4): they parse and check input; services save it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from sales_erp.customers.models import ContactLog, Customer, FunnelSettings, Product
from sales_erp.customers.selectors import customer_name_check
from sales_erp.customers.services import CustomerRefused, customer_owner_problem, product_accounts_check
from sales_erp.customers.validators import account_codes_parse
from sales_erp.org.models import User

ACCOUNTS_HELP = "账号之间用“换行”、“中文逗号”、“英文逗号”分隔均可"


class NameCheckWidget(UnfoldAdminTextInputWidget):
    """The company name with its 检测 button: asks the server whether the normalised name exists."""

    template_name = "customers/widgets/name_check.html"

    def __init__(self, attrs: dict[str, Any] | None = None, exclude_pk: int | None = None) -> None:
        super().__init__(attrs={"placeholder": "请填写公司名称", **(attrs or {})})
        self.exclude_pk = exclude_pk

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["check_url"] = reverse("customers:check_name")
        context["exclude_pk"] = self.exclude_pk or ""
        return context


# Manual 1.1's fields in the manual's order; the ones a process or the funnel sets are shown read-only.
CUSTOMER_FIELDS = [
    "name",
    "tier",
    "business_contact",
    "mobile",
    "legal_person",
    "registration_number",
    "registered_address",
    "mailing_address",
    "phone",
    "email",
    "website",
    "founded_on",
    "registered_capital",
    "nature",
    "tax_id",
    "region",
    "contract_date",
    "first_use_date",
    "needs_invoice",
]
CUSTOMER_SET_BY_PROCESSES = ("tier", "contract_date")


class CustomerForm(forms.ModelForm):
    """Manual 1.1. `user` is set by the admin (CustomerAdmin.get_form) so the duplicate check knows
    whom it may tell about an existing customer."""

    user: User | None = None

    class Meta:
        model = Customer
        fields = [*(f for f in CUSTOMER_FIELDS if f not in CUSTOMER_SET_BY_PROCESSES), "owner"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "name" in self.fields:
            self.fields["name"].widget = NameCheckWidget(exclude_pk=self.instance.pk)
        if "tax_id" in self.fields:
            self.fields["tax_id"].widget.attrs["placeholder"] = "18 位统一社会信用代码"

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if self.user is not None:
            check = customer_name_check(name=name, user=self.user, exclude_pk=self.instance.pk)
            if check.taken:
                raise ValidationError(check.message, code=f"name_{check.status}")
        return name

    def clean_tax_id(self) -> str:
        return self.cleaned_data["tax_id"].strip().upper()

    def clean_owner(self) -> User | None:
        owner = self.cleaned_data.get("owner")
        problem = customer_owner_problem(tier=self.instance.tier, owner=owner)
        if problem:
            raise ValidationError(problem, code="owner")
        return owner


BILL_DAYS = [("", "请选择")] + [(str(d), f"{d} 日") for d in range(1, 29)]
PAYMENT_TERMS = [(str(m), f"{m}个月") for m in range(1, 13)]


class ProductForm(forms.ModelForm):
    """Manual 1.4, with the account box (账号) that opens accounts on save."""

    accounts_text = forms.CharField(
        label="账号",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "请输入账号"}),
        help_text=ACCOUNTS_HELP,
    )
    bill_day = forms.TypedChoiceField(
        label="账单日", choices=BILL_DAYS, coerce=int, widget=UnfoldAdminSelectWidget, help_text="每月 1–28 日"
    )
    payment_term_months = forms.TypedChoiceField(
        label="账期", choices=PAYMENT_TERMS, coerce=int, initial="1", widget=UnfoldAdminSelectWidget
    )

    class Meta:
        model = Product
        fields = [
            "customer",
            "name",
            "kind",
            "direct_to_supplier",
            "accounts_text",
            "bill_type",
            "bill_day",
            "payment_term_months",
            "settlement",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            codes = self.instance.accounts.order_by("pk").values_list("code", flat=True)
            self.initial["accounts_text"] = "\n".join(codes)
        self.account_codes: list[str] = []

    def clean_accounts_text(self) -> str:
        text = self.cleaned_data["accounts_text"]
        self.account_codes = account_codes_parse(text)
        return text

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if "accounts_text" in cleaned:
            try:
                product_accounts_check(product=self.instance, codes=self.account_codes)
            except CustomerRefused as refused:
                self.add_error("accounts_text", refused.message)
        return cleaned


class ContactLogForm(forms.ModelForm):
    class Meta:
        model = ContactLog
        fields = ["customer", "date", "contact_name", "form", "content", "outcome"]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3, "placeholder": "请输入内容"}),
            "outcome": forms.Textarea(attrs={"rows": 3, "placeholder": "请输入内容"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk and "date" in self.fields:
            self.fields["date"].initial = timezone.localdate


class FunnelSettingsForm(forms.ModelForm):
    completeness_threshold = forms.TypedChoiceField(
        label="信息完善率阈值",
        choices=[("25", "25%"), ("50", "50%"), ("75", "75%"), ("100", "100%")],
        coerce=int,
        widget=UnfoldAdminSelectWidget,
        help_text=FunnelSettings._meta.get_field("completeness_threshold").help_text,
    )

    class Meta:
        model = FunnelSettings
        fields = [
            "contract_window",
            "contract_window_unit",
            "test_window",
            "test_window_unit",
            "intent_window",
            "intent_window_unit",
            "silent_window",
            "silent_window_unit",
            "contract_ending_months",
            "contract_expired_months",
            "completeness_threshold",
            "warning_days",
        ]
