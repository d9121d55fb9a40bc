"""Composition root (settings, container) and the `paintbot` command."""
