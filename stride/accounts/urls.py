from django.urls import path

from . import views, views_data, views_two_factor

app_name = "accounts"

urlpatterns = [
    path("accounts/sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("accounts/sign-in/email/", views.link_request, name="sign_in_link_request"),
    path("accounts/sign-in/email/sent/", views.link_sent, name="sign_in_link_sent"),
    path("accounts/sign-out/", views.SignOutView.as_view(), name="sign_out"),
    # Before the token pattern, which would also match "sign-in".
    path("accounts/link/<int:pk>/sign-in/", views.link_confirm, name="sign_in_link_confirm"),
    path("accounts/link/<int:pk>/<str:token>/", views.link_open, name="sign_in_link"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    # Before the token pattern, as above.
    path(
        "accounts/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/my-data/", views_data.my_data, name="my_data"),
    path(
        "accounts/two-factor/verify/",
        views_two_factor.two_factor_verify_view,
        name="two_factor_verify",
    ),
    path(
        "accounts/two-factor/setup/",
        views_two_factor.two_factor_setup_view,
        name="two_factor_setup",
    ),
]
