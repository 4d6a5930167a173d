"""``python -m publish``: the same as the ``publish`` command."""

from publish.cli import run

run()
