"""The web edition: static HTML5 pages from the model (an index, one page per article, a sitemap).

Like the EPUB and the PDF it maps the model and never reads Markdown; the
article markup comes from :mod:`publish.render.markup`, so a citation, a
note or a pull quote means the same on the web as in the EPUB.
"""
