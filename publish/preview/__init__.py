"""``publish serve``: the web edition from memory while the author writes, refreshed on every save.

Ranked after the pipeline (it loads the book again on every edit), before the CLI.
"""
