"""Hawthorne stats."""
