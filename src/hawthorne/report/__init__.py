"""Hawthorne report."""
