from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from chatdong.accounts.access import needs_second_factor_off_site
from chatdong.core.net import client_ip, in_office_network

_EXEMPT_PREFIXES = ("/static/", "/api/", "/accounts/login", "/accounts/logout", "/accounts/otp")


class SecondFactorMiddleware:
    """Staff with access to personal data who log in from outside the office networks must pass a
    TOTP check (django-otp) before any page; inside the office networks the password is enough."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and needs_second_factor_off_site(user)  # type: ignore[arg-type]
            and not in_office_network(client_ip(request))
            and not user.is_verified()  # type: ignore[union-attr]
        ):
            return redirect(f"{reverse('accounts:otp_verify')}?next={request.get_full_path()}")
        return self.get_response(request)
