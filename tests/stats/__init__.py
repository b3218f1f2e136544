"""Tests for audit_app.stats."""
