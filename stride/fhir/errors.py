"""Refusals of the FHIR API, each answered as an OperationOutcome (never an HTML page)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fhir.resources.R4B.operationoutcome import OperationOutcome


@dataclass(frozen=True)
class Issue:
    """One problem: an IssueType ``code``, a message, and the FHIRPath of what it concerns."""

    code: str
    diagnostics: str
    expression: tuple[str, ...] = ()


class FhirError(Exception):
    """A request the API refuses with ``status`` and one or more issues.

    ``code`` is an IssueType (``invalid``, ``not-found``, ``conflict``, ...); ``expression``
    names the element at fault, e.g. ``Appointment.start``.
    """

    def __init__(
        self,
        status: int,
        code: str,
        diagnostics: str,
        *,
        expression: Iterable[str] = (),
        headers: dict[str, str] | None = None,
        more: Sequence[Issue] = (),
    ) -> None:
        super().__init__(diagnostics)
        self.status = status
        self.issues = (Issue(code, diagnostics, tuple(expression)), *more)
        self.headers = headers or {}


def not_found(diagnostics: str = "Not found.") -> FhirError:
    """Return the 404 given alike for a missing row and for one the caller may not see."""
    return FhirError(404, "not-found", diagnostics)


def bad_param(name: str, diagnostics: str) -> FhirError:
    """Return the 400 for a search or query parameter ``name`` that cannot be used."""
    return FhirError(400, "invalid", diagnostics, expression=[name])


def operation_outcome(issues: Iterable[Issue]) -> OperationOutcome:
    """Return an OperationOutcome listing ``issues`` as errors."""
    return OperationOutcome.model_validate(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": issue.code,
                    "diagnostics": issue.diagnostics,
                    **({"expression": list(issue.expression)} if issue.expression else {}),
                }
                for issue in issues
            ],
        }
    )
