"""Writes to field service. Every change runs in one transaction, is checked, and leaves an event."""
