"""``python -m rapidresponse``: the command line."""

from .cli import main

main()
