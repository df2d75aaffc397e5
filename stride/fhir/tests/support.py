"""A test client for /fhir/ that checks every answer is FHIR JSON its R4B model accepts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from fhir.resources.R4B import get_fhir_model_class
from fhir_core.fhirabstractmodel import FHIRAbstractModel

from stride.accounts.models import User

BASE = "/fhir"
CONTENT_TYPE = "application/fhir+json; charset=utf-8"


def base_url() -> str:
    """Return the absolute URL the API answers with (links, fullUrl, code systems)."""
    return f"{settings.SITE_URL}{BASE}"


def validated(data: dict[str, Any]) -> FHIRAbstractModel:
    """Parse ``data`` with the fhir.resources R4B class its resourceType names."""
    model = get_fhir_model_class(data["resourceType"])
    resource = model.model_validate(data)
    # Searchset entries are parsed by the Bundle model too; parse each with its own class.
    for entry in data.get("entry", []):
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    return resource


@dataclass
class Answer:
    """One response of the API, already parsed and validated."""

    response: HttpResponse
    data: dict[str, Any]
    resource: FHIRAbstractModel

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def type(self) -> str:
        return str(self.data["resourceType"])

    def header(self, name: str) -> str | None:
        return self.response.headers.get(name)

    @property
    def entries(self) -> list[dict[str, Any]]:
        assert self.type == "Bundle", self.data
        return [entry["resource"] for entry in self.data.get("entry", [])]

    @property
    def ids(self) -> list[str]:
        return [resource["id"] for resource in self.entries]

    @property
    def issue(self) -> dict[str, Any]:
        """Return the first issue of an OperationOutcome."""
        assert self.type == "OperationOutcome", self.data
        return dict(self.data["issue"][0])

    @property
    def expression(self) -> list[str]:
        return list(self.issue.get("expression", []))


class FhirClient:
    """Call the API as a Django test client would, checking the shape of every answer."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def sign_in(self, user: User | None) -> FhirClient:
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return self

    def _answer(self, response: Any) -> Answer:
        assert response["Content-Type"] == CONTENT_TYPE, response.content[:300]
        data = json.loads(response.content)
        return Answer(response=response, data=data, resource=validated(data))

    def get(self, path: str, params: Any = None, **extra: Any) -> Answer:
        return self._answer(self.client.get(f"{BASE}/{path}", params or {}, **extra))

    def post(
        self,
        path: str,
        body: Any,
        content_type: str = "application/fhir+json",
        **extra: Any,
    ) -> Answer:
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self._answer(
            self.client.post(f"{BASE}/{path}", data=data, content_type=content_type, **extra)
        )

    def request(self, method: str, path: str, **extra: Any) -> Answer:
        return self._answer(self.client.generic(method, f"{BASE}/{path}", **extra))
