"""`python -m agora.cli` runs the command line."""

from agora.cli import main

main()
