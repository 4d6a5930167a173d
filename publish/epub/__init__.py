"""Renderer: the model as an EPUB 3 package (documents, navigation with page-list, metadata)."""
