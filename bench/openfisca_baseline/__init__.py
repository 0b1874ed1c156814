"""The TSSA core written for OpenFisca, run in its own virtualenv as the benchmark's baseline."""
