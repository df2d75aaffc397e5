"""Demo articles, FAQ and resources (placeholder until the content app lands)."""


def load() -> None:
    """Create or update the demo content."""
