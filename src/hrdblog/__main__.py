"""Run the command-line interface: python -m hrdblog."""

from hrdblog.cli import main

main()
