"""The therapist's pages under /staff/: the patient list, a patient's record, the program builder.

Only therapists and clinic admins get in (``clinical_staff_required``): front desk and patients
get 403, visitors the sign-in page. Every patient, program and alert is looked up through the
scoped selectors, so someone else's answers 404 exactly like a missing one. Pages that show
clinical details are never cached.
"""

from .patients import alert_acknowledge_view, patient_detail, patient_list, symptoms_resolve_view
from .programs import program_edit, program_new, program_status

__all__ = [
    "alert_acknowledge_view",
    "patient_detail",
    "patient_list",
    "program_edit",
    "program_new",
    "program_status",
    "symptoms_resolve_view",
]
