"""A throwaway API that exercises the shared error handlers."""

from django.urls import path
from ninja import NinjaAPI, Schema
from pydantic import EmailStr, Field

from stride.api.errors import ApiError, FieldsInvalid, install_error_handlers

api = NinjaAPI(urls_namespace="api_errors_test")
install_error_handlers(api)


class Person(Schema):
    name: str = Field(max_length=20)
    email: EmailStr
    age: int


class Envelope(Schema):
    person: Person


@api.post("/people")
def create_person(request, data: Person) -> dict[str, str]:
    if data.name == "taken":
        raise ApiError(409, "conflict", "That name is taken.")
    if data.name == "rule":
        raise FieldsInvalid({"name": "Breaks a rule."})
    if data.name == "boom":
        raise RuntimeError("unexpected")
    return {"name": data.name}


@api.post("/envelopes")
def create_envelope(request, data: Envelope) -> dict[str, str]:
    return {"name": data.person.name}


urlpatterns = [path("api/", api.urls)]

handler404 = "stride.core.views.page_not_found"
