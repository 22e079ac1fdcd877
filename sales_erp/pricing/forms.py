"""The price_change form (销售调价流程, manual 2.4) and the quote calculator's form.

`PriceChangeForm` checks everything a schedule needs before it exists: the tiers (tiers_validate), the
international price table (intl_price_table_parse), the dates, the account's product, the attachments'
size, and that no live schedule overlaps (the check at submit). It takes `target=` (a Product) and
`user=` like the workflow engine's ProcessForm, so the process can use it as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.datastructures import MultiValueDict
from unfold.widgets import (
    INPUT_CLASSES,
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminFileFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from sales_erp.billing.models import Carrier
from sales_erp.customers.models import Account, Product, ProductKind
from sales_erp.customers.selectors import customer_visibility_q
from sales_erp.org.models import User
from sales_erp.pricing.intl_table import PriceTableInvalid, intl_price_table_parse
from sales_erp.pricing.models import PriceSchedule, PriceType, ScheduleStatus
from sales_erp.pricing.quotes import price_list_pick
from sales_erp.pricing.selectors import schedule_tier_groups, schedules_visible_to
from sales_erp.pricing.services import PricingRefused, attachments_check, overlap_check, schedule_scope_check
from sales_erp.pricing.tiers import TiersInvalid, tiers_validate

TIER_FIELDS = ("carrier", "lower", "upper", "price")
COUNT_NOT_INTEGER = "条数 '{value}' 不是整数"
QUOTE_NEEDS_PRICE = "请选择一个调价，或填写价格类型和价格档"
QUOTE_PICK_CARRIER = "该价格分运营商报价，请选择运营商"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(attrs={"class": " ".join(INPUT_CLASSES)}, format="%Y-%m-%d")


class TierEditorWidget(forms.Widget):
    """The tier editor: rows of `起 ≤ 条 < 止`, 价格 and 运营商, with "+" to add a row (manual 2.4).

    Posts one list per column (`<name>_lower` …), so it also works without JavaScript.
    """

    template_name = "pricing/widgets/tier_editor.html"

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> list[dict[str, str]]:
        if isinstance(data, MultiValueDict):
            columns = {field: data.getlist(f"{name}_{field}") for field in TIER_FIELDS}
        else:  # a plain dict, e.g. form data the workflow engine stored as JSON
            return list(data.get(name) or [])
        count = max(len(values) for values in columns.values())
        rows = []
        for i in range(count):
            row = {field: (values[i] if i < len(values) else "") for field, values in columns.items()}
            if any(str(row[field]).strip() for field in ("lower", "upper", "price")):
                rows.append(row)
        return rows

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        rows = list(value or []) or [{"carrier": "", "lower": "0", "upper": "", "price": ""}]
        context["widget"].update({"rows": rows, "carriers": Carrier.choices, "input_class": " ".join(INPUT_CLASSES)})
        return context


class TierRowsField(forms.Field):
    widget = TierEditorWidget

    def to_python(self, value: Any) -> list[dict[str, str]]:
        return list(value or [])


class MultipleFileInput(UnfoldAdminFileFieldWidget):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class PriceChangeForm(forms.Form):
    product = forms.ModelChoiceField(label="产品", queryset=Product.objects.none(), widget=UnfoldAdminSelectWidget)
    account = forms.ModelChoiceField(
        label="账号",
        queryset=Account.objects.none(),
        required=False,
        widget=UnfoldAdminSelectWidget,
        help_text="留空表示适用于产品的全部账号；选一个账号则只为该账号定价",
    )
    price_type = forms.ChoiceField(label="价格类型", choices=PriceType.choices, widget=UnfoldAdminSelectWidget)
    tiers = TierRowsField(
        label="价格",
        required=False,
        help_text="起 ≤ 条 < 止，单价最多 6 位小数；最后一档的止点留空。分运营商报价时为 移动、联通、电信 各填一组。",
    )
    million_ratio = forms.DecimalField(
        label="百万投比", required=False, max_digits=12, decimal_places=4, widget=UnfoldAdminDecimalFieldWidget
    )
    province_ratio = forms.DecimalField(
        label="省占比(%)",
        required=False,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        widget=UnfoldAdminDecimalFieldWidget,
    )
    valid_from = forms.DateField(label="价格起始日期", widget=DateInput())
    valid_to = forms.DateField(label="价格截止日期", widget=DateInput(), help_text="含当天")
    remarks = forms.CharField(label="备注", widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}))
    price_table = forms.FileField(
        label="国际价格表",
        required=False,
        widget=UnfoldAdminFileFieldWidget,
        help_text="国际短信产品必填：CSV 或 XLSX，列为 国家/地区、国家代码、单价(元/条)",
    )
    attachments = MultipleFileField(label="附件", required=False, help_text="总大小不超过 100 MB")

    def __init__(self, *args: Any, target: Product | None = None, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        products = Product.objects.select_related("customer").order_by("customer__name", "name")
        if user is not None:
            q = customer_visibility_q(user, prefix="customer__")
            products = products if q is None else products.filter(q)
        if target is not None:
            products = products.filter(pk=target.pk)
            self.fields["product"].initial = target.pk
        product_field = self.fields["product"]
        account_field = self.fields["account"]
        assert isinstance(product_field, forms.ModelChoiceField) and isinstance(account_field, forms.ModelChoiceField)
        product_field.queryset = products
        account_field.queryset = Account.objects.filter(product__in=products).select_related("product")
        account_field.label_from_instance = lambda obj: f"{obj.code}（{obj.product.code}）"  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        product: Product | None = data.get("product")
        if product is None:
            return data
        intl = product.kind == ProductKind.INTL_SMS
        data["tier_groups"], data["country_prices"] = {}, []
        if intl:
            upload = data.get("price_table")
            if upload is None:
                self.add_error("price_table", "国际短信产品请上传国际价格表（国家/地区、国家代码、单价）")
            else:
                try:
                    data["country_prices"] = intl_price_table_parse(data=upload.read(), name=upload.name or "")
                except PriceTableInvalid as exc:
                    for message in exc.errors:
                        self.add_error("price_table", message)
        elif data.get("price_type"):
            try:
                data["tier_groups"] = tiers_validate(price_type=data["price_type"], rows=data.get("tiers") or [])
            except TiersInvalid as exc:
                for message in exc.errors:
                    self.add_error("tiers", message)
        if self.errors or not (data.get("valid_from") and data.get("valid_to")):
            return data
        try:
            schedule_scope_check(
                product=product,
                account=data.get("account"),
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                country_prices=bool(data["country_prices"]),
            )
            attachments_check(data.get("attachments") or [])
            overlap_check(
                product=product,
                account=data.get("account"),
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                statuses=(ScheduleStatus.ACTIVE, ScheduleStatus.PENDING),
            )
        except PricingRefused as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return data

    def schedule_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of price_schedule_create, from the cleaned form."""
        data = self.cleaned_data
        return {
            "product": data["product"],
            "account": data.get("account"),
            "price_type": data["price_type"],
            "tiers": data["tier_groups"],
            "valid_from": data["valid_from"],
            "valid_to": data["valid_to"],
            "remarks": data["remarks"],
            "million_ratio": data.get("million_ratio"),
            "province_ratio": data.get("province_ratio"),
            "country_prices": data["country_prices"],
            "attachments": data.get("attachments") or [],
        }


class QuoteForm(forms.Form):
    """报价计算器: a schedule (or a price type with tiers typed in) and a count."""

    schedule = forms.ModelChoiceField(
        label="调价", queryset=PriceSchedule.objects.none(), required=False, widget=UnfoldAdminSelectWidget
    )
    carrier = forms.ChoiceField(label="运营商", choices=Carrier.choices, required=False, widget=UnfoldAdminSelectWidget)
    price_type = forms.ChoiceField(
        label="价格类型", choices=[("", "—")] + PriceType.choices, required=False, widget=UnfoldAdminSelectWidget
    )
    tiers = TierRowsField(label="价格", required=False, help_text="不选调价时填写：起 ≤ 条 < 止 与单价")
    count = forms.CharField(label="条数", widget=UnfoldAdminTextInputWidget)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schedule_field = self.fields["schedule"]
        assert isinstance(schedule_field, forms.ModelChoiceField)
        schedule_field.queryset = (
            schedules_visible_to(user)
            .filter(status__in=[ScheduleStatus.ACTIVE, ScheduleStatus.PENDING, ScheduleStatus.DRAFT])
            .exclude(product__kind=ProductKind.INTL_SMS)
        )
        schedule_field.label_from_instance = lambda obj: (  # type: ignore[method-assign]
            f"#{obj.pk} {obj.product.customer.name} · {obj.product.name} · {obj.get_price_type_display()} "
            f"{obj.valid_from}~{obj.valid_to}（{obj.get_status_display()}）"
        )

    def clean_count(self) -> int:
        text = str(self.cleaned_data.get("count") or "").strip().replace(",", "")
        if not text.isdigit():
            raise forms.ValidationError(COUNT_NOT_INTEGER.format(value=self.cleaned_data.get("count")))
        return int(text)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        carrier = data.get("carrier") or ""
        schedule: PriceSchedule | None = data.get("schedule")
        if schedule is not None:
            groups, data["quote_type"] = schedule_tier_groups(schedule), schedule.price_type
        elif not data.get("price_type"):
            raise forms.ValidationError(QUOTE_NEEDS_PRICE)
        else:
            try:
                groups = tiers_validate(price_type=data["price_type"], rows=data.get("tiers") or [])
            except TiersInvalid as exc:
                for message in exc.errors:
                    self.add_error("tiers", message)
                return data
            data["quote_type"] = data["price_type"]
        tiers = price_list_pick(groups, carrier)
        if tiers is None:
            raise forms.ValidationError(QUOTE_PICK_CARRIER)
        data["quote_tiers"] = tiers
        return data
