"""Writes to preventive maintenance. Every change runs in one transaction and is checked."""
