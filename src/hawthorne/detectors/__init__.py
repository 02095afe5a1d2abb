"""Hawthorne detectors."""
