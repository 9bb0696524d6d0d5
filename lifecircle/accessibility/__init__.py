"""accessibility."""
