"""The last stage: validators on the built files (EPUBCheck, Ace, our PDF checks) and the accessibility report."""
