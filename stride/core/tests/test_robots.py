import pytest


@pytest.mark.django_db
def test_robots_txt_keeps_private_areas_out_and_names_the_sitemap(client, settings):
    settings.SITE_URL = "https://clinic.example.org"
    response = client.get("/robots.txt")
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    for path in ("/admin/", "/staff/", "/appointments/", "/api/", "/calendar/"):
        assert f"Disallow: {path}" in body
    assert "Sitemap: https://clinic.example.org/sitemap.xml" in body
