"""Hawthorne audit."""
