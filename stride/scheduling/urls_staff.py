"""Staff pages under /staff/ (calendar, booking on a patient's behalf, time off)."""

app_name = "staff"

urlpatterns: list = []
