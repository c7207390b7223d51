"""`python -m kpi_excel` runs the command line."""

from .cli import main

main()
