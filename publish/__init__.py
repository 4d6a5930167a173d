"""Accessible EPUB 3 and print PDF from Markdown, with APA 7 citations through CSL (the ``publish`` command)."""

__version__ = "0.2.0"
