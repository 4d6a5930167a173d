"""Stage 3, checks: findings that need the whole model, after citations and before any file is written."""
