"""Sign in and out (staff by password; patients gain email links in a later issue)."""

from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator

from stride.core.ratelimit import rate_limit


@method_decorator(rate_limit("login", "STRIDE_RATE_LIMIT_LOGIN"), name="dispatch")
class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass
