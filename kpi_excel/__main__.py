"""`python -m kpi_excel` runs the command line."""

from kpi_excel.cli import main

if __name__ == "__main__":  # not when a spawned worker process imports this module
    main()
