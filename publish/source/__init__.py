"""Stage 1, the source: the book folder read into the model.

``book.yaml`` (its schema), the chapter files, Markdown with the book's
extensions, raw HTML made safe, images, and every check that needs the
source text to say where a problem is.  Nothing here writes a file.
"""
