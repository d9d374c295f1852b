"""A center role in words, for the invitation mail and page ("as a parent partner")."""

from __future__ import annotations

from icn_graph.models import CenterRole

_ROLE_WORDS = {
    CenterRole.CLINICIAN: "a clinician",
    CenterRole.NURSE: "a nurse",
    CenterRole.DIETITIAN: "a dietitian",
    CenterRole.SOCIAL_WORKER: "a social worker",
    CenterRole.PSYCHOLOGIST: "a psychologist",
    CenterRole.QI_LEAD: "a QI lead",
    CenterRole.DATA_MANAGER: "a data manager",
    CenterRole.PARENT_PARTNER: "a parent partner",
    CenterRole.PATIENT_PARTNER: "a patient partner",
}


def role_in_words(role: CenterRole) -> str:
    return _ROLE_WORDS[role]
