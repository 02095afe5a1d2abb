"""Hawthorne suites."""
