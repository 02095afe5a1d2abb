"""Hawthorne organisms."""
