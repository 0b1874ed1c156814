"""Views of the citizen portal, by what the citizen is doing."""
