"""valuta: the yearly staff-performance evaluation cycle of an Italian Comune, on spreadsheets."""

__version__ = "0.1.0"
