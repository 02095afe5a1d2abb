"""Hawthorne cli."""
