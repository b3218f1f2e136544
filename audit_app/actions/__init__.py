"""Actions: tracked from being raised to being done and checked (workflow.py holds the rules)."""
