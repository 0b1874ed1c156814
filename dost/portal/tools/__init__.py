"""Citizen tools of the portal: the benefit screener and the pension calculator.

A plain package inside the portal app (its templates live in portal/templates/portal/tools/),
with its own URL namespace `portal_tools` and its own translation catalog (docs/calculators.md).
"""
