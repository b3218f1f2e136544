"""The action plan answering an inspection: its records (records.py), the progress rule
(progress.py), where it stands in a quarter (position.py), its pages (routes.py, whose
blueprint the app registers) and the reference plan seed-demo loads (seed.py)."""
