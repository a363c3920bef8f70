from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

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
            and needs_second_factor_off_site(user)
            and not in_office_network(client_ip(request))
            # OTPMiddleware sets otp_device once a TOTP code was accepted in this session.
            and getattr(user, "otp_device", None) is None
        ):
            target = f"{reverse('accounts:otp_verify')}?{urlencode({'next': request.get_full_path()})}"
            if request.headers.get("HX-Request") == "true":
                # An HTMX fragment request: make the browser go to the page instead of swapping it in.
                return HttpResponse(status=204, headers={"HX-Redirect": target})
            return redirect(target)
        return self.get_response(request)
