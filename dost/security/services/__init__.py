"""Writes of the security app, by subject.

- `roles`: groups from `roles.ROLE_PERMISSIONS`; role grants with four eyes.
- `assignments`: which centres and regions a staff member works for.
- `payroll`: payroll preparation and four-eyes approval.
"""
