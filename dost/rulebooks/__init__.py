"""Country rulebooks for the DOST rules engine: ``az`` (Azerbaijan) and ``uz`` (Uzbekistan).

Each is a directory with ``rulebook.yaml``, ``parameters/*.yaml``, one module per benefit
and ``tests/*.yaml``; load one with ``dost.rules.load_rulebook("az")``.
"""
