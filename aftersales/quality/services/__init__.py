"""Writes of the quality loop: follow-ups and surveys, re-service, complaints, QC reviews."""
