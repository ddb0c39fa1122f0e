"""Models whose rows are protected: code obtains them only through the access and selector
layer (`access/` and each app's `selectors.py`). `access/tests` scans the code base for any
other use of their managers."""

PROTECTED_MODELS = {
    "survivors.Survivor",
    "survivors.Consent",
    "survivors.MatchNotice",
    "survivors.ErasureRequest",
    "cases.Case",
    "cases.CaseMember",
    "cases.Incident",
    "cases.Testimony",
    "cases.Note",
    "cases.Task",
    "cases.CaseEvent",
    "documents.Attachment",
    "safety.RiskAssessment",
    "safety.SafetyPlan",
    "safety.SafetyStep",
    "audit.AuditEvent",
    "crypto.DataKey",
    "api.ApiToken",
    "organisations.Invitation",
}
