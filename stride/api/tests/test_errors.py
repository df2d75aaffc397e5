import json

import pytest

pytestmark = pytest.mark.urls("stride.api.tests.urls")


def post(client, path, body, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", **extra)


def test_valid_input_is_accepted(client):
    response = post(client, "/api/people", {"name": "Pat", "email": "pat@example.org", "age": 40})
    assert response.status_code == 200


def test_wrong_types_name_the_fields(client):
    response = post(client, "/api/people", {"name": "Pat", "email": "nope", "age": "forty"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert set(body["fields"]) == {"email", "age"}


def test_missing_and_oversized_fields_are_named(client):
    response = post(client, "/api/people", {"name": "x" * 21, "email": "a@example.org"})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"name", "age"}


def test_nested_fields_are_dotted(client):
    response = post(client, "/api/envelopes", {"person": {"name": "Pat", "email": "x", "age": 1}})
    assert response.json()["fields"] == {"person.email": response.json()["fields"]["person.email"]}


@pytest.mark.parametrize("raw", ["{not json", b"\xff\xfe\x00", "[1, 2", ""])
def test_malformed_or_non_utf8_json_is_422_on_body(client, raw):
    response = post(client, "/api/people", raw)
    assert response.status_code == 422
    assert "fields" in response.json()


def test_domain_errors_keep_their_status_and_code(client):
    taken = post(client, "/api/people", {"name": "taken", "email": "a@example.org", "age": 1})
    assert taken.status_code == 409
    assert taken.json() == {"error": "conflict", "detail": "That name is taken."}
    rule = post(client, "/api/people", {"name": "rule", "email": "a@example.org", "age": 1})
    assert rule.status_code == 422
    assert rule.json() == {"error": "invalid", "fields": {"name": "Breaks a rule."}}


def test_unexpected_errors_are_json_without_details(client):
    response = post(client, "/api/people", {"name": "boom", "email": "a@example.org", "age": 1})
    assert response.status_code == 500
    assert response.json() == {"error": "server_error", "detail": "Something went wrong."}


@pytest.mark.django_db
def test_unknown_routes_are_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "Not found."}


def test_oversized_bodies_are_413_not_500(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"name": "Pat", "email": "pat@example.org", "age": 1, "pad": "x" * 5000}
    response = post(client, "/api/people", body)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
