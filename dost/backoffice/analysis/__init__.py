"""Policy simulation and management dashboards for the staff back office (docs/simulation.md).

Stateless: a simulation run is computed from the registry snapshot and the rulebook and kept in
Django's cache for a while; nothing here has a model or a migration.
"""
