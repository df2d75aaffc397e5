"""What the FHIR API supports, declared once: the views accept exactly this, metadata says so."""

from __future__ import annotations

from dataclasses import dataclass

from fhir.resources.R4B import __fhir_version__ as FHIR_VERSION
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

# The date this statement last changed (CapabilityStatement.date).
STATEMENT_DATE = "2026-11-27"
CONTENT_TYPE = "application/fhir+json"
SPEC = "http://hl7.org/fhir/SearchParameter"


@dataclass(frozen=True)
class SearchParam:
    """One search parameter of a resource type, as FHIR defines it."""

    name: str
    type: str
    documentation: str

    def definition(self, resource_type: str) -> str:
        return f"{SPEC}/{resource_type}-{self.name}"


@dataclass(frozen=True)
class ResourceSupport:
    """The interactions and search parameters one resource type offers."""

    type: str
    interactions: tuple[str, ...]
    documentation: str
    search_params: tuple[SearchParam, ...] = ()

    def supports(self, interaction: str) -> bool:
        return interaction in self.interactions

    @property
    def param_names(self) -> frozenset[str]:
        return frozenset(param.name for param in self.search_params)


SUPPORTED: dict[str, ResourceSupport] = {
    support.type: support
    for support in (
        ResourceSupport(
            type="Practitioner",
            interactions=("read", "search-type"),
            documentation="The therapists shown on the public site. Public.",
            search_params=(
                SearchParam(
                    "name", "string", "Part of the name; :exact and :contains are supported."
                ),
            ),
        ),
        ResourceSupport(
            type="Schedule",
            interactions=("read", "search-type"),
            documentation="One per public therapist (same id as the Practitioner). Public.",
            search_params=(SearchParam("actor", "reference", "Practitioner/<id>."),),
        ),
        ResourceSupport(
            type="Slot",
            interactions=("search-type",),
            documentation=(
                "Free times that can be booked online. schedule and both start bounds are "
                "required; the bounds span at most 31 days (dates are the clinic's local "
                "dates). Public."
            ),
            search_params=(
                SearchParam("schedule", "reference", "Schedule/<id>; required."),
                SearchParam(
                    "start",
                    "date",
                    "Give a lower (ge, gt) and an upper (lt, le) bound, or one eq value.",
                ),
                SearchParam(
                    "appointment-type",
                    "token",
                    "An appointment type's code (its slug), e.g. initial-evaluation.",
                ),
            ),
        ),
        ResourceSupport(
            type="Appointment",
            interactions=("read", "search-type", "create"),
            documentation=(
                "Patients see and book their own; staff see all and book for a patient. "
                "Create books a free Slot (by reference, or start + Practitioner + "
                "appointmentType); a taken time is 409. Search pages with _count (max 100)."
            ),
            search_params=(
                SearchParam("patient", "reference", "Patient/<id>."),
                SearchParam("date", "date", "Appointment start; ge, gt, le, lt or eq."),
            ),
        ),
        ResourceSupport(
            type="Patient",
            interactions=("read",),
            documentation="The signed-in patient's own record; staff read any patient's.",
        ),
    )
}


def capability_statement(*, base_url: str) -> CapabilityStatement:
    """Return the server's CapabilityStatement for the API mounted at ``base_url``."""
    resources = [
        {
            "type": support.type,
            "documentation": support.documentation,
            "interaction": [{"code": code} for code in support.interactions],
            "versioning": "no-version",
            "readHistory": False,
            "updateCreate": False,
            **(
                {
                    "searchParam": [
                        {
                            "name": param.name,
                            "type": param.type,
                            "definition": param.definition(support.type),
                            "documentation": param.documentation,
                        }
                        for param in support.search_params
                    ]
                }
                if support.search_params
                else {}
            ),
        }
        for support in SUPPORTED.values()
    ]
    return CapabilityStatement.model_validate(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": STATEMENT_DATE,
            "publisher": "Stride",
            "kind": "instance",
            "software": {"name": "Stride"},
            "implementation": {"description": "Stride FHIR API", "url": base_url},
            "fhirVersion": FHIR_VERSION,
            "format": ["json", CONTENT_TYPE],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "cors": False,
                        "description": (
                            "Public: metadata, Practitioner, Schedule, Slot. Appointment and "
                            "Patient need a signed-in user: the site's session (POST also "
                            "needs the CSRF token in X-CSRFToken) or a personal API token as "
                            "Authorization: Bearer <token>."
                        ),
                    },
                    "resource": resources,
                }
            ],
        }
    )
