"""Hawthorne oracle."""
