"""Core models: notifications."""
