"""Core models: files."""
