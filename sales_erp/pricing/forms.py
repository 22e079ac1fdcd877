"""The price_change form (销售调价流程, manual 2.4) and the quote calculator's form.

`PriceChangeForm` is the price_change process's form (a workflow ProcessForm, target: the product): it
checks everything a schedule needs before it exists — the tiers (tiers_validate), the international price
table (intl_price_table_parse), the dates, the account's product, and that no live schedule overlaps (the
check at submit). Its fields avoid the names the process start page uses itself (备注 `remarks`, 附件
`attachments`): the manual's *备注 is `note`, the files are the instance's attachments.
`PriceSchedulePageForm` is the same form on the 新建调价 page, which has its own 附件 box.
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
from sales_erp.workflow.forms import ProcessForm

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

    def display_value(self, value: Any) -> str:
        """How the process page shows the stored rows: "移动 0 ≤ 条 < 10000: 0.045；…"."""
        carriers = dict(Carrier.choices)
        parts = []
        for row in value or []:
            carrier = carriers.get(row.get("carrier") or "", "")
            upper = row.get("upper") or "∞"
            label = f"{carrier} " if row.get("carrier") else ""
            parts.append(f"{label}{row.get('lower') or 0} ≤ 条 < {upper}: {row.get('price')}")
        return "；".join(parts)


class MultipleFileInput(UnfoldAdminFileFieldWidget):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class StoredModelChoiceField(forms.ModelChoiceField):
    """A model choice whose stored pk the process page shows by name (its class-level queryset is empty)."""

    def display_value(self, value: Any) -> str:
        found = self.queryset.model._default_manager.filter(pk=value).first() if self.queryset is not None else None
        return self.label_from_instance(found) if found is not None else str(value)


def tier_rows_from_draft(initial: dict[str, Any], name: str = "tiers") -> list[dict[str, str]] | None:
    """A start-page draft keeps the editor's columns as posted (tiers_lower: [...]); rebuild the rows."""
    if f"{name}_lower" not in initial and f"{name}_price" not in initial:
        return None
    columns = {}
    for field in TIER_FIELDS:
        values = initial.get(f"{name}_{field}", [])
        columns[field] = values if isinstance(values, list) else [values]
    count = max(len(values) for values in columns.values())
    return [{field: (values[i] if i < len(values) else "") for field, values in columns.items()} for i in range(count)]


class PriceChangeForm(ProcessForm):
    product = StoredModelChoiceField(label="产品", queryset=Product.objects.none(), widget=UnfoldAdminSelectWidget)
    account = StoredModelChoiceField(
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
    note = forms.CharField(label="调价备注", widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}))
    price_table = forms.FileField(
        label="国际价格表",
        required=False,
        widget=UnfoldAdminFileFieldWidget,
        help_text="国际短信产品必填：CSV 或 XLSX，列为 国家/地区、国家代码、单价(元/条)",
    )

    def __init__(self, *args: Any, target: Product | None = None, user: User | None = None, **kwargs: Any) -> None:
        initial = kwargs.get("initial")
        if initial and not initial.get("tiers"):
            rows = tier_rows_from_draft(initial)
            if rows is not None:
                kwargs["initial"] = {**initial, "tiers": rows}
        super().__init__(*args, target=target, user=user, **kwargs)
        products = Product.objects.select_related("customer").order_by("customer__name", "name")
        if user is not None:
            q = customer_visibility_q(user, prefix="customer__")
            products = products if q is None else products.filter(q)
        if target is not None:
            products = products.filter(pk=target.pk)
            self.fields["product"].initial = target.pk
            if target.kind != ProductKind.INTL_SMS:
                del self.fields["price_table"]  # only 国际短信 products take a price table
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
            table = price_table_read(data.get("price_table"))
            if table is None:
                self.add_error("price_table", "国际短信产品请上传国际价格表（国家/地区、国家代码、单价）")
            else:
                try:
                    data["country_prices"] = intl_price_table_parse(data=table[0], name=table[1])
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
            "remarks": data["note"],
            "million_ratio": data.get("million_ratio"),
            "province_ratio": data.get("province_ratio"),
            "country_prices": data["country_prices"],
        }

    def form_data(self) -> dict[str, Any]:
        """The fields' values only: clean() also leaves the parsed tiers and country prices in cleaned_data."""
        everything = self.cleaned_data
        self.cleaned_data = {k: v for k, v in everything.items() if k in self.fields and k != "attachments"}
        try:
            return super().form_data()
        finally:
            self.cleaned_data = everything


def price_table_read(value: Any) -> tuple[bytes, str] | None:
    """The price table's bytes and name: a new upload (read from its start: the engine validates the form
    twice), or the file a process instance already stored ({id, name, size}, on resubmit and at submit)."""
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        from sales_erp.workflow.models import Attachment

        stored = Attachment.objects.filter(pk=value.get("id") or 0).first()
        if stored is None:
            return None
        with stored.file.open("rb") as handle:
            return handle.read(), stored.name
    value.seek(0)
    return value.read(), value.name or ""


class PriceSchedulePageForm(PriceChangeForm):
    """The 新建调价 page: the price_change form with its own 附件 box (the process start page has one)."""

    attachments = MultipleFileField(label="附件", required=False, help_text="总大小不超过 100 MB")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            attachments_check(data.get("attachments") or [])
        except PricingRefused as exc:
            self.add_error("attachments", exc.message)
        return data


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
