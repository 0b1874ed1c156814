"""The roles of DOST as Django groups, and the permissions each role holds.

One table, read by the demo, by `roles_sync` and by the permission matrix in docs/security.md:
a view asks for a permission (see `access.py`), never for a role, so the table is the only
place that says who may do what.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "citizen"
    OPERATOR = "operator"  # front-office operator at a centre counter
    CASE_OFFICER = "case officer"
    SUPERVISOR = "supervisor"
    SOCIAL_WORKER = "social worker"
    PAYROLL_OFFICER = "payroll officer"
    POLICY_ANALYST = "policy analyst"
    AUDITOR = "auditors"
    ADMINISTRATOR = "administrator"
    API_CLIENT = "api client"


# Permission codenames (app_label.codename) per role, synced into the groups by `roles_sync`
# (after every migrate, and `dost roles sync`). API clients are not users: their rights are the
# scopes of their key (dost/api/keys.py); the group exists so the matrix has a column for them.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.CITIZEN: [],
    Role.OPERATOR: [
        "centres.operate_counter", "registry.view_person", "certificates.issue_certificate",
    ],
    Role.CASE_OFFICER: [
        "registry.view_person", "registry.view_household", "registry.view_membership",
        "registry.add_changerequest", "registry.view_changerequest", "registry.view_lifeevent",
        "registry.view_income", "cases.work_case", "security.search_person",
        "security.view_person360", "certificates.issue_certificate",
    ],
    Role.SUPERVISOR: [
        "registry.view_person", "registry.view_household", "registry.view_membership",
        "registry.view_changerequest", "registry.approve_changerequest",
        "registry.view_lifeevent", "registry.view_income", "registry.view_registrychange",
        "cases.work_case", "cases.approve_override", "cases.decide_appeal",
        "centres.supervise_centre", "security.search_person", "security.view_person360",
        "security.view_dashboards", "security.approve_role_grant",
        "security.export_person_data", "certificates.issue_certificate",
        "proactive.work_proactive",
    ],
    Role.SOCIAL_WORKER: [
        "registry.view_person", "registry.view_household", "registry.view_membership",
        "registry.view_lifeevent", "cases.work_case", "security.search_person",
        "security.view_person360", "certificates.issue_certificate",
        "proactive.work_proactive",
    ],
    # Prepares a run and may approve another officer's run, never their own (four eyes).
    Role.PAYROLL_OFFICER: [
        "security.manage_payroll", "security.approve_payroll", "benefits.view_payrollrun",
        "benefits.view_payment",
    ],
    Role.POLICY_ANALYST: [
        "security.run_policy_simulation", "security.view_dashboards",
        "security.extract_pseudonymised",
    ],
    Role.AUDITOR: ["audit.view_accessrecord", "audit.view_changerecord"],
    # Administrators are also superusers in the demo; the group says what the role is for.
    Role.ADMINISTRATOR: [
        "security.grant_role", "security.approve_role_grant", "security.view_staffassignment",
        "security.add_staffassignment", "security.delete_staffassignment",
    ],
    Role.API_CLIENT: [],
}


# Staff roles: their members are staff users (`is_staff`) and pass the TOTP second factor.
STAFF_ROLES: tuple[Role, ...] = tuple(r for r in Role if r not in (Role.CITIZEN, Role.API_CLIENT))
