"""API: the quote calculator (POST /api/pricing/quote/). The same service as the desk's calculator."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sales_erp.billing.models import CARRIER_BY_TEXT
from sales_erp.org.models import User
from sales_erp.pricing.models import PriceType
from sales_erp.pricing.price_models import Tier
from sales_erp.pricing.quotes import price_list_pick, quote_compute
from sales_erp.pricing.selectors import schedule_tier_groups, schedules_visible_to
from sales_erp.pricing.tiers import TiersInvalid, tiers_validate

NEEDS_PRICE = "请给出 schedule（调价编号），或 price_type 与 tiers"
PICK_CARRIER = "该价格分运营商报价，请给出 carrier（移动、联通、电信）"
SCHEDULE_NOT_FOUND = "没有编号为 {pk} 的调价"
PICK_COUNTRY = "该调价按国家计价，请给出 country（{codes}）"


class CanViewPrices(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.has_perm("pricing.view_priceschedule"))


class TierRowSerializer(serializers.Serializer):
    carrier = serializers.CharField(required=False, allow_blank=True, default="")
    lower = serializers.CharField(required=False, allow_blank=True, default="")
    upper = serializers.CharField(required=False, allow_blank=True, allow_null=True, default="")
    price = serializers.CharField()


class QuoteRequestSerializer(serializers.Serializer):
    schedule = serializers.IntegerField(required=False, help_text="调价编号；不给时用 price_type 与 tiers")
    price_type = serializers.ChoiceField(choices=PriceType.choices, required=False)
    tiers = TierRowSerializer(many=True, required=False)
    carrier = serializers.ChoiceField(choices=sorted(CARRIER_BY_TEXT), required=False, default="")
    country = serializers.CharField(required=False, default="", help_text="国际短信: 国家代码，如 US")
    count = serializers.IntegerField(min_value=0, label="条数")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("schedule") is None and not (attrs.get("price_type") and attrs.get("tiers")):
            raise serializers.ValidationError(NEEDS_PRICE)
        if attrs.get("schedule") is None:
            try:
                attrs["tier_groups"] = tiers_validate(price_type=attrs["price_type"], rows=attrs["tiers"])
            except TiersInvalid as exc:
                raise serializers.ValidationError({"tiers": exc.errors}) from None
        return attrs


class QuoteApiView(APIView):
    permission_classes = [CanViewPrices]

    @extend_schema(
        request=QuoteRequestSerializer,
        responses={200: OpenApiResponse(description="金额与分档明细"), 400: OpenApiResponse(description="输入错误")},
    )
    def post(self, request: Request) -> Response:
        incoming = QuoteRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if data.get("schedule") is not None:
            schedule = schedules_visible_to(cast(User, request.user)).filter(pk=data["schedule"]).first()
            if schedule is None:
                raise NotFound(SCHEDULE_NOT_FOUND.format(pk=data["schedule"]))
            price_type, groups = schedule.price_type, schedule_tier_groups(schedule)
            countries = dict(schedule.country_prices.values_list("country", "price"))
            if countries:  # 国际短信: each country at its price in the table
                country = data["country"].strip().upper()
                if country not in countries:
                    raise serializers.ValidationError({"country": [PICK_COUNTRY.format(codes="、".join(countries))]})
                groups = {"": (Tier(0, None, countries[country]),)}
        else:
            price_type, groups = data["price_type"], data["tier_groups"]
        tiers = price_list_pick(groups, CARRIER_BY_TEXT[data["carrier"]])
        if tiers is None:
            raise serializers.ValidationError({"carrier": [PICK_CARRIER]})
        quote = quote_compute(price_type=price_type, tiers=tiers, count=data["count"])
        return Response(
            {
                "price_type": quote.price_type,
                "count": quote.count,
                "amount": str(quote.amount),
                "unit_price": str(quote.unit_price),
                "breakdown": [
                    {
                        "lower": c.lower,
                        "upper": c.upper,
                        "count": c.count,
                        "price": str(c.price),
                        "amount": str(c.amount),
                    }
                    for c in quote.charges
                ],
            }
        )
