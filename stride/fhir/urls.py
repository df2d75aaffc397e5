"""HL7 FHIR R4 endpoints under /fhir/; any other path under it is a 404 OperationOutcome."""

from django.urls import path, re_path

from . import views

app_name = "fhir"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    re_path(r"^(?P<resource_type>[A-Za-z]{1,64})/?$", views.type_endpoint, name="type"),
    re_path(r"^(?P<resource_type>[A-Za-z]{1,64})/_search/?$", views.search_post, name="search"),
    re_path(
        r"^(?P<resource_type>[A-Za-z]{1,64})/(?P<resource_id>[A-Za-z0-9.-]{1,64})/?$",
        views.instance_endpoint,
        name="instance",
    ),
    re_path(r"^(?P<path>[\s\S]*)$", views.not_found_view, name="not_found"),
]
