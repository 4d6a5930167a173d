"""Renderer: the model as a tagged print PDF, laid out by WeasyPrint, and its print editions.

``print_html`` builds the print document (no WeasyPrint); ``document`` lays it
out and writes it; ``tags`` finishes the PDF/UA structure; ``editions``,
``press`` and ``impose`` make the press, large-print and booklet forms.
``parts/`` lays a long book out on several cores and joins the parts;
``engine/`` is the one place that touches WeasyPrint's private code.
"""
