"""Domain enums exposed to GraphQL; the Python enums live with the models and services."""

from __future__ import annotations

from icn_graph.errors import UserErrorCode
from icn_graph.models import CenterRole, CenterStatus, NetworkRole, PersonKind
from icn_graph.schema.described_enums import described_enum
from icn_graph.services.centers import CenterOrderField
from icn_graph.services.ordering import OrderDirection
from icn_graph.services.people import DeactivatedPeople, PersonOrderField

CenterStatusEnum = described_enum(
    CenterStatus,
    name="CenterStatus",
    description="Whether a center takes part in the network now.",
    values={
        CenterStatus.ACTIVE: "Takes part now; counted in `Network.centerCount`.",
        CenterStatus.INACTIVE: "Has left or paused; its history (goals, reports) stays.",
    },
)
CenterRoleEnum = described_enum(
    CenterRole,
    name="CenterRole",
    description="A person's role on a center's team.",
    values={
        CenterRole.CLINICIAN: "A physician or other clinician on the care team.",
        CenterRole.NURSE: "A nurse on the care team.",
        CenterRole.DIETITIAN: "A dietitian on the care team.",
        CenterRole.SOCIAL_WORKER: "A social worker on the care team.",
        CenterRole.PSYCHOLOGIST: "A psychologist on the care team.",
        CenterRole.QI_LEAD: "Leads the center's quality improvement work: invites people to "
        "the team, imports registry visits, answers requests to show the center's data.",
        CenterRole.DATA_MANAGER: "Keeps the center's registry data: imports visits, answers "
        "requests to show the center's data.",
        CenterRole.PARENT_PARTNER: "A parent of a patient, on the team as a partner.",
        CenterRole.PATIENT_PARTNER: "A patient, on the team as a partner.",
    },
)
PersonKindEnum = described_enum(
    PersonKind,
    name="PersonKind",
    description="What a person does in the network.",
    values={
        PersonKind.CLINICIAN: "A physician or other clinician.",
        PersonKind.NURSE: "A nurse.",
        PersonKind.DIETITIAN: "A dietitian.",
        PersonKind.SOCIAL_WORKER: "A social worker.",
        PersonKind.PSYCHOLOGIST: "A psychologist.",
        PersonKind.QI_LEAD: "A quality improvement lead.",
        PersonKind.DATA_MANAGER: "A data manager: keeps a center's registry data.",
        PersonKind.PARENT_PARTNER: "A parent of a patient, taking part as a partner.",
        PersonKind.PATIENT_PARTNER: "A patient, taking part as a partner.",
        PersonKind.STAFF: "Works for the network itself (what they may do is their `networkRole`).",
    },
)
NetworkRoleEnum = described_enum(
    NetworkRole,
    name="NetworkRole",
    description="Network-wide permissions.",
    values={
        NetworkRole.ADMIN: "Everything staff may do, and making other admins.",
        NetworkRole.STAFF: "Runs the network: centers, people, Learning Sessions, invitations, "
        "plugins, mail; sees every center's reports (small counts suppressed).",
        NetworkRole.DATA_MANAGER: "Network data manager: every center's reports (small counts "
        "suppressed), registry imports for any center, data requests.",
        NetworkRole.MEMBER: "No network-wide permission: what a person may do comes from their "
        "center memberships.",
    },
)
OrderDirectionEnum = described_enum(
    OrderDirection,
    name="OrderDirection",
    description="Which way a listing is sorted.",
    values={
        OrderDirection.ASC: "Smallest, earliest or A first.",
        OrderDirection.DESC: "Largest, latest or Z first.",
    },
)
CenterOrderFieldEnum = described_enum(
    CenterOrderField,
    name="CenterOrderField",
    description="What `centers` is sorted by.",
    values={
        CenterOrderField.NAME: "The center's name.",
        CenterOrderField.JOINED_ON: "When the center joined the network.",
    },
)
PersonOrderFieldEnum = described_enum(
    PersonOrderField,
    name="PersonOrderField",
    description="What `people` is sorted by.",
    values={
        PersonOrderField.DISPLAY_NAME: "The person's display name.",
        PersonOrderField.CREATED_AT: "When the account was made.",
    },
)
DeactivatedPeopleEnum = described_enum(
    DeactivatedPeople,
    name="DeactivatedPeople",
    description="Whether a listing of people shows deactivated accounts.",
    values={
        DeactivatedPeople.EXCLUDE: "Only active accounts.",
        DeactivatedPeople.INCLUDE: "Active and deactivated accounts.",
        DeactivatedPeople.ONLY: "Only deactivated accounts.",
    },
)
UserErrorCodeEnum = described_enum(
    UserErrorCode,
    name="UserErrorCode",
    description="Why an input field was refused, for code to branch on (`message` says it in "
    "words).",
    values={
        UserErrorCode.REQUIRED: "Empty, or missing where a value is needed.",
        UserErrorCode.INVALID: "Not a valid value here (format, range, or not allowed for you).",
        UserErrorCode.TOO_LONG: "Longer than the field allows; the message gives the limit.",
        UserErrorCode.TAKEN: "Already in use or already done: an email or short code another "
        "record has, a person already on the team or registered.",
        UserErrorCode.NOT_FOUND: "The ID names nothing you can see.",
        UserErrorCode.CONFLICT: "Valid, but not in the object's current state (e.g. revoking "
        "what is already revoked).",
    },
)
