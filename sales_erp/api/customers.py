"""API: customers, products with their accounts, accounts (DESIGN §2).

Input is checked by the desk's own forms (customers.forms.CustomerForm / ProductForm) and saved by the
same services (customer_create, customer_update, product_save), so the API accepts and refuses exactly
what the desk does. Rows are the user's visible ones (customers.selectors); a hidden id is a 404.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms.models import model_to_dict, modelform_factory
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from sales_erp.api.fields import ID_REGEX, IdRelatedField, id_param
from sales_erp.api.pagination import Pagination
from sales_erp.api.permissions import IsStaff, ModelPermissions
from sales_erp.billing.selectors import products_visible_to
from sales_erp.customers.forms import CUSTOMER_FIELDS, CUSTOMER_SET_BY_PROCESSES, CustomerForm, ProductForm
from sales_erp.customers.models import Account, Customer, Product
from sales_erp.customers.names import company_name_key
from sales_erp.customers.selectors import (
    accounts_visible_to,
    customer_edit_q,
    customers_editable_by,
    customers_visible_to,
)
from sales_erp.customers.services import CustomerRefused, customer_create, customer_update, product_save
from sales_erp.org.models import User

NOT_EDITABLE = "您可以查看但不能修改该客户的资料（公共池客户请先申请）"
EDITABLE_FIELDS = [f for f in CUSTOMER_FIELDS if f not in CUSTOMER_SET_BY_PROCESSES]


def form_errors(form: forms.BaseForm, *, rename: dict[str, str] | None = None) -> dict[str, list[str]]:
    """A desk form's findings keyed by the API's field names ("__all__" becomes non_field_errors)."""
    rename = {"__all__": "non_field_errors", **(rename or {})}
    return {rename.get(name, name): [str(m) for m in messages] for name, messages in form.errors.items()}


def refused(exc: CustomerRefused, *, field: str = "non_field_errors") -> serializers.ValidationError:
    return serializers.ValidationError({field: [exc.message]}, code=exc.code)


def request_user(serializer: serializers.BaseSerializer) -> User:
    return cast(User, serializer.context["request"].user)


def form_data_of(instance: Any, fields: list[str], attrs: dict[str, Any]) -> dict[str, Any]:
    """The stored values (or a new row's defaults) overlaid with the request's, as a form's data."""
    data = model_to_dict(instance, fields=fields)
    for name, value in attrs.items():
        data[name] = value.pk if hasattr(value, "pk") else value
    return {name: "" if value is None else value for name, value in data.items()}


# ------------------------------------------------------------------------------------------- customers
class CustomerSerializer(serializers.ModelSerializer):
    tier_display = serializers.CharField(source="get_tier_display", read_only=True)
    owner = IdRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="归属销售（仅销管、管理员等可指定；销售新建的客户归自己）",
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            *CUSTOMER_FIELDS,
            "tier_display",
            "tier_since",
            "owner",
            "created_at",
        ]
        read_only_fields = [*CUSTOMER_SET_BY_PROCESSES, "tier_since", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = request_user(self)
        instance = self.instance or Customer()
        fields = list(EDITABLE_FIELDS)
        if user.sees_all_customers and ("owner" in attrs or instance.pk):
            fields.append("owner")
        elif "owner" in attrs and attrs["owner"] != instance.owner:
            raise serializers.ValidationError({"owner": ["销售不能指定归属销售；归属由公共池申请等流程决定"]})
        form_class = modelform_factory(Customer, form=CustomerForm, fields=fields)
        form = cast(CustomerForm, form_class(data=form_data_of(instance, fields, attrs), instance=instance))
        form.user = user
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        self.customer = form.instance
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Customer:
        try:
            return customer_create(customer=self.customer, user=request_user(self))
        except CustomerRefused as exc:
            raise refused(exc, field="name") from None

    def update(self, instance: Customer, validated_data: dict[str, Any]) -> Customer:
        try:
            return customer_update(customer=self.customer, user=request_user(self))
        except CustomerRefused as exc:
            raise refused(exc) from None


@extend_schema_view(
    list=extend_schema(
        summary="客户列表（仅本人可见的客户）",
        parameters=[
            OpenApiParameter("tier", str, description="客户类别"),
            OpenApiParameter("q", str, description="公司名称或税务号"),
        ],
    ),
    retrieve=extend_schema(summary="客户详情"),
    create=extend_schema(summary="新建客户（与桌面相同的校验，含重名检测）"),
    update=extend_schema(summary="修改客户资料"),
    partial_update=extend_schema(summary="修改客户资料（部分字段）"),
)
class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CustomerSerializer
    pagination_class = Pagination
    lookup_value_regex = ID_REGEX
    permission_classes = [IsStaff, ModelPermissions]
    perms = {
        "list": "customers.view_customer",
        "retrieve": "customers.view_customer",
        "create": "customers.add_customer",
        "update": "customers.change_customer",
        "partial_update": "customers.change_customer",
    }

    def get_queryset(self) -> QuerySet[Customer]:
        customers = customers_visible_to(cast(User, self.request.user)).select_related("owner").order_by("pk")
        params = self.request.query_params
        if params.get("tier"):
            customers = customers.filter(tier=params["tier"])
        if params.get("q"):
            key = company_name_key(params["q"])
            customers = customers.filter(name_key__contains=key) if key else customers
        return customers

    def get_object(self) -> Customer:
        customer = super().get_object()
        if self.action in ("update", "partial_update"):
            q = customer_edit_q(cast(User, self.request.user))
            if q is not None and not Customer.objects.filter(q, pk=customer.pk).exists():
                raise PermissionDenied(NOT_EDITABLE)
        return customer


# -------------------------------------------------------------------------------- products, accounts
class AccountSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    customer = serializers.IntegerField(source="product.customer_id", read_only=True)

    class Meta:
        model = Account
        fields = ["id", "code", "product", "customer", "status", "status_display", "created_at"]
        read_only_fields = fields


class ProductAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "code", "status"]
        read_only_fields = fields


class ProductSerializer(serializers.ModelSerializer):
    customer = IdRelatedField(queryset=Customer.objects.all(), help_text="客户编号")
    accounts = serializers.ListField(
        child=serializers.CharField(max_length=200),
        write_only=True,
        required=False,
        help_text="账号（与桌面的账号框相同：每项可再用换行、英文或中文逗号分隔；已开通的账号不能删除）",
    )
    account_list = ProductAccountSerializer(source="accounts", many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "code",
            "customer",
            "name",
            "kind",
            "direct_to_supplier",
            "accounts",
            "account_list",
            "bill_type",
            "bill_day",
            "payment_term_months",
            "settlement",
            "created_at",
        ]
        read_only_fields = ["code", "created_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # A product is added only to a customer one may change: others read as "does not exist".
            self.fields["customer"].queryset = customers_editable_by(request.user)  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance or Product()
        fields = [f for f in ProductForm.Meta.fields if f != "accounts_text"]
        data = form_data_of(instance, fields, {k: v for k, v in attrs.items() if k != "accounts"})
        if "accounts" in attrs:
            data["accounts_text"] = "\n".join(attrs["accounts"])
        elif instance.pk:
            data["accounts_text"] = "\n".join(instance.accounts.order_by("pk").values_list("code", flat=True))
        form = ProductForm(data=data, instance=instance)
        form.fields["customer"].queryset = customers_editable_by(request_user(self))  # type: ignore[attr-defined]
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form, rename={"accounts_text": "accounts"}))
        self.product, self.account_codes = form.instance, form.account_codes
        return attrs

    def save_product(self) -> Product:
        try:
            return product_save(product=self.product, account_codes=self.account_codes)
        except CustomerRefused as exc:
            raise refused(exc, field="accounts") from None

    def create(self, validated_data: dict[str, Any]) -> Product:
        return self.save_product()

    def update(self, instance: Product, validated_data: dict[str, Any]) -> Product:
        return self.save_product()


@extend_schema_view(
    list=extend_schema(summary="产品列表", parameters=[OpenApiParameter("customer", int, description="客户编号")]),
    retrieve=extend_schema(summary="产品详情（含账号）"),
    create=extend_schema(summary="新建产品并开通账号（账号全系统唯一）"),
    update=extend_schema(summary="修改产品"),
    partial_update=extend_schema(summary="修改产品（部分字段）"),
)
class ProductViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProductSerializer
    pagination_class = Pagination
    lookup_value_regex = ID_REGEX
    permission_classes = [IsStaff, ModelPermissions]
    perms = {
        "list": "customers.view_product",
        "retrieve": "customers.view_product",
        "create": "customers.add_product",
        "update": "customers.change_product",
        "partial_update": "customers.change_product",
    }

    def get_queryset(self) -> QuerySet[Product]:
        products = products_visible_to(cast(User, self.request.user)).prefetch_related("accounts").order_by("pk")
        customer = id_param(self.request.query_params, "customer")
        return products if customer is None else products.filter(customer_id=customer)

    def get_object(self) -> Product:
        product = super().get_object()
        if self.action in ("update", "partial_update"):
            q = customer_edit_q(cast(User, self.request.user))
            if q is not None and not Customer.objects.filter(q, pk=product.customer_id).exists():
                raise PermissionDenied(NOT_EDITABLE)
        return product


@extend_schema_view(
    list=extend_schema(
        summary="账号列表",
        parameters=[
            OpenApiParameter("product", int, description="产品编号"),
            OpenApiParameter("customer", int, description="客户编号"),
            OpenApiParameter("code", str, description="账号（不区分大小写）"),
        ],
    ),
    retrieve=extend_schema(summary="账号详情"),
)
class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    """Accounts are opened by the product's account box (products endpoint) and by processes; read here."""

    serializer_class = AccountSerializer
    pagination_class = Pagination
    lookup_value_regex = ID_REGEX
    permission_classes = [IsStaff, ModelPermissions]
    perms = {"list": "customers.view_account", "retrieve": "customers.view_account"}

    def get_queryset(self) -> QuerySet[Account]:
        accounts = accounts_visible_to(cast(User, self.request.user)).select_related("product").order_by("pk")
        params = self.request.query_params
        for name, lookup in (("product", "product_id"), ("customer", "product__customer_id")):
            value = id_param(params, name)
            if value is not None:
                accounts = accounts.filter(**{lookup: value})
        if params.get("code"):
            accounts = accounts.filter(code__iexact=params["code"])
        return accounts
