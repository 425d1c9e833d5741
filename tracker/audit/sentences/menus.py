"""The audit page's filter menus in words (an action or record type not listed shows as it is stored)."""

from __future__ import annotations

ACTION_LABELS = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_in_refused": "Sign-in refused",
    "sign_out": "Signed out",
    "work_account_refused": "Work account refused",
    "work_account_linked": "Work account linked",
    "password_set": "Password set",
    "mfa_enrolled": "MFA set up",
    "mfa_failed": "Wrong security code",
    "mfa_locked": "Security codes locked",
    "mfa_refused": "Security code refused",
    "recovery_code_used": "Recovery code used",
    "mfa_removed": "MFA turned off",
    "mfa_reset": "MFA reset",
    "reauth_failed": "Confirming identity failed",
    "denied": "Request refused",
    "pruned": "Old records pruned",
    "restored": "Database restored",
}
ENTITY_LABELS = {
    "adoption_events": "Adoption entries",
    "adoptions": "Adoption records",
    "users": "Accounts",
    "api_tokens": "API tokens",
    "organisations": "Organisations",
    "networks": "Networks",
    "ambitions": "Ambitions",
    "ambition_targets": "Ambition targets",
    "change_packages": "Change packages",
    "drivers": "Drivers",
    "change_ideas": "Change ideas",
    "package_resources": "Package resources",
    "learning_links": "Learning links",
    "adoption_leads": "Leads of adoption records",
    "organisation_leads": "QI leads",
    "contact_consents": "Consents to be named",
    "follows": "Follows",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action) or action.replace("_", " ").capitalize()


def entity_label(entity: str) -> str:
    return ENTITY_LABELS.get(entity) or entity.replace("_", " ").capitalize()
