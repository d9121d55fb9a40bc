"""Entities, value objects and errors of the coloring-page domain."""
