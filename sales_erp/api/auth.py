"""POST /api/token/: a staff user's API token for their username and password (DRF's authtoken)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

NOT_STAFF = "只有公司员工账号可以取得接口令牌"


class TokenThrottle(AnonRateThrottle):
    rate = "60/min"  # password guessing


class TokenObtainView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenThrottle]

    @extend_schema(
        summary="取得接口令牌（Authorization: Token <token>）",
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="用户名或密码错误，或不是员工账号"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        incoming = AuthTokenSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        user = incoming.validated_data["user"]
        if not user.is_staff:
            return Response({"non_field_errors": [NOT_STAFF]}, status=status.HTTP_400_BAD_REQUEST)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
