"""`python cli.py …` runs the same command as `valuta …`, from a checkout without installing
it. The command line itself is `workbook/cli.py`."""

from workbook.cli import main, run

__all__ = ["main", "run"]

if __name__ == "__main__":
    run()
