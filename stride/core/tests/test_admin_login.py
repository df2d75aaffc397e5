import pytest


@pytest.mark.django_db
def test_admin_login_is_rate_limited_per_ip(client, settings):
    settings.STRIDE_RATE_LIMIT_LOGIN = "3/600"
    for _ in range(3):
        response = client.post("/admin/login/", {"username": "x@example.org", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/admin/login/", {"username": "x@example.org", "password": "wrong"})
    assert response.status_code == 429


@pytest.mark.django_db
def test_admin_requires_staff_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
