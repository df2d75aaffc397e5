"""Sign in and out: staff by password, patients by a single-use link sent to their email.

Password pages (change, reset by email) are Django's views with Stride's templates; staff
then confirm the sign-in with a second factor (``views_two_factor``).

An emailed link never signs anyone in by itself, because mail scanners fetch links. Opening
``/accounts/link/<pk>/<token>/`` keeps the token in the session and redirects to
``/accounts/link/<pk>/sign-in/``, a page without the token in its URL whose "Sign in" button
(a CSRF-protected POST) redeems the link. This is how Django's password reset keeps its token
out of sight. The button cannot sit on the token URL itself: that page must send
``Referrer-Policy: no-referrer``, which makes browsers post its forms with ``Origin: null``,
and the CSRF check refuses those. CSRF protection has to stay on here, unlike on the
appointment manage pages: anyone can get a valid link to their own account, and without it a
forging site could sign a visitor's browser into that account.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from stride.core.ratelimit import rate_limit
from stride.scheduling.views.common import private_page

from .forms import PasswordResetForm, SignInLinkRequestForm
from .models import Role, User
from .permissions import two_factor_url, user_needs_two_factor
from .selectors import sign_in_link_get_usable
from .services import (
    SignInLinkInvalid,
    password_reset_email_context,
    sign_in_link_redeem,
    sign_in_link_request,
)

# The patient area is built elsewhere and has no URL name yet.
PATIENT_HOME = "/my/"
# Where an opened link's id and token wait for the "Sign in" button.
LINK_SESSION_KEY = "accounts_sign_in_link"
# A bad link answers 410 Gone whatever the reason (unknown, wrong token, expired, used), so
# the status reveals no more than the page does.
LINK_INVALID_STATUS = 410


@method_decorator(rate_limit("login", "STRIDE_RATE_LIMIT_LOGIN"), name="dispatch")
class SignInView(auth_views.LoginView):
    """Sign in by email and password; django-axes locks out repeated wrong passwords."""

    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Send patients to their own pages and staff to LOGIN_REDIRECT_URL."""
        user = self.request.user
        if isinstance(user, User) and user.role == Role.PATIENT:
            return PATIENT_HOME
        return super().get_default_redirect_url()

    def get_success_url(self) -> str:
        """Send staff whose session has no second factor yet by way of the two-factor page."""
        url = super().get_success_url()
        return two_factor_url(url) if user_needs_two_factor(self.request.user) else url


class SignOutView(auth_views.LogoutView):
    pass


@method_decorator(rate_limit("password_change", "STRIDE_RATE_LIMIT_LOGIN"), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password; the session stays signed in and every other one ends."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@method_decorator(rate_limit("password_reset", "STRIDE_RATE_LIMIT_PASSWORD_RESET"), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link; known and unknown addresses get the same redirect and page."""

    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = password_reset_email_context()
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from an emailed link; the link then stops working.

    Django moves the token from the URL into the session before showing the form, and the
    token is tied to the password hash, so setting a password (or signing in) spends it.
    """

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _safe_next(request: HttpRequest, url: str) -> str:
    """Return ``url`` if it stays on this site, else an empty string."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limit("sign_in_link", "STRIDE_RATE_LIMIT_SIGN_IN_LINK")
def link_request(request: HttpRequest) -> HttpResponse:
    """Ask for an emailed sign-in link; every valid address gets the same answer."""
    if request.method != "POST":
        form = SignInLinkRequestForm()
    else:
        form = SignInLinkRequestForm(request.POST)
        if form.is_valid():
            sign_in_link_request(email=form.cleaned_data["email"])
            # 303: the browser fetches the answer with GET, so reloading it posts nothing.
            return HttpResponseRedirect(reverse("accounts:sign_in_link_sent"), status=303)
    return render(request, "accounts/sign_in_link_request.html", {"form": form})


@require_safe
def link_sent(request: HttpRequest) -> HttpResponse:
    """Say a link is on its way if the address belongs to a patient."""
    return render(request, "accounts/sign_in_link_sent.html")


@require_safe
@private_page
def link_open(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Keep an emailed link's token in the session and show its button at a token-free URL."""
    request.session[LINK_SESSION_KEY] = {"pk": pk, "token": token}
    target = reverse("accounts:sign_in_link_confirm", kwargs={"pk": pk})
    next_url = _safe_next(request, request.GET.get("next", ""))
    if next_url:
        target = f"{target}?{urlencode({'next': next_url})}"
    return HttpResponseRedirect(target)


def _link_invalid(request: HttpRequest) -> HttpResponse:
    request.session.pop(LINK_SESSION_KEY, None)
    return render(
        request,
        "accounts/sign_in_link_invalid.html",
        {"form": SignInLinkRequestForm()},
        status=LINK_INVALID_STATUS,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def link_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the "Sign in" button for the opened link; on POST redeem it and sign in."""
    stash = request.session.get(LINK_SESSION_KEY)
    token = stash.get("token") if isinstance(stash, dict) and stash.get("pk") == pk else None
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if not isinstance(token, str):
        return _link_invalid(request)
    if request.method != "POST":
        if sign_in_link_get_usable(pk=pk, token=token) is None:
            return _link_invalid(request)
        return render(request, "accounts/sign_in_link.html", {"next": next_url})
    try:
        user = sign_in_link_redeem(pk=pk, token=token)
    except SignInLinkInvalid:
        return _link_invalid(request)
    request.session.pop(LINK_SESSION_KEY, None)
    # login() moves the session to a new key, so an id planted before sign-in is worthless.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(next_url or PATIENT_HOME, status=303)
