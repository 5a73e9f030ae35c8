"""Core models: calendar."""
