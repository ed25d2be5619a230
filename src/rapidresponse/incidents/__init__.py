"""Incidents: the model, lifecycle, severity matrix, roles, timeline and tasks."""
