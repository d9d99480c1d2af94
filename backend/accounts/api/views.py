"""The token endpoints: ``POST auth/token/`` {"username", "password"} → {"token", "expires_at"}, and
``POST auth/token/revoke/`` (this token, or with {"all": true} every token of the user). Thin: sign-in goes
through Django's authenticate() (so django-axes counts failures and refuses locked-out pairs), tokens through
backend/accounts/tokens.py."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts import tokens
from backend.accounts.http import acting_user
from backend.accounts.lockout import lockout_message
from backend.accounts.models import ApiToken


class LockedOut(exceptions.APIException):
    status_code = 429
    default_code = "locked_out"

    def __init__(self) -> None:
        super().__init__(lockout_message(), self.default_code)


class InvalidCredentials(exceptions.APIException):
    status_code = 400
    default_detail = _("Unable to log in with the username and password given.")
    default_code = "invalid_credentials"


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class RevokeSerializer(serializers.Serializer):
    all = serializers.BooleanField(default=False, help_text=_("Revoke every token of this user, not only this one."))


class ObtainTokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(request=CredentialsSerializer, responses={200: IssuedTokenSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        body = CredentialsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        django_request = request._request  # django-axes reads the address from, and marks, the Django request
        user = authenticate(django_request, **body.validated_data)
        if getattr(django_request, "axes_locked_out", False):
            raise LockedOut()
        if user is None or not user.is_active:
            raise InvalidCredentials()
        # A signed-in user like any other: last_login is updated and django-axes forgets the earlier failures.
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        token, key = tokens.api_token_issue(user=user)
        return Response(IssuedTokenSerializer({"token": key, "expires_at": token.expires_at}).data)


class RevokeTokenView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=RevokeSerializer,
        responses={200: inline_serializer("RevokedTokens", {"revoked": serializers.IntegerField()})},
    )
    def post(self, request: Request) -> Response:
        body = RevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data["all"]:
            return Response({"revoked": tokens.api_token_revoke_all(user=acting_user(request))})
        if not isinstance(request.auth, ApiToken):
            raise exceptions.ValidationError(
                {"all": [_('This request was not made with a token: send {"all": true} to revoke every token.')]},
                code="no_token",
            )
        tokens.api_token_revoke(token=request.auth)
        return Response({"revoked": 1}, status=status.HTTP_200_OK)
