"""Public and patient pages of home exercise programs."""

app_name = "programs"

urlpatterns: list = []
