"""What every renderer shares: markup builders, the cover, accessibility statements, the page map.

The EPUB, the print PDF (and the web edition) present one book, so the
markup of an article, its notes and its reference list is built here once
from the model.  Nothing here reads Markdown or the bibliography.
"""
