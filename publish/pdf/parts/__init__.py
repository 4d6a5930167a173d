"""A long book laid out in parts, one per core, by forked workers, and the parts joined into one PDF."""
