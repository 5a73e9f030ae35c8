"""Core models: audit."""
