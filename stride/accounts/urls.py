from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("accounts/sign-out/", views.SignOutView.as_view(), name="sign_out"),
]
