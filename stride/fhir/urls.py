"""HL7 FHIR R4 endpoints under /fhir/."""

app_name = "fhir"

urlpatterns: list = []
