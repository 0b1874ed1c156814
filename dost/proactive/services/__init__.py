"""Writes of the proactive engine: `assign` (one evaluation), `engine` (events, days), `scan`."""
