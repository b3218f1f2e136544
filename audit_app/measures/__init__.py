"""Measure definitions: SQL aggregates turned into figures with numerator, denominator
and interval."""
