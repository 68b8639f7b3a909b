"""The Piano della Performance and the staff roster: the model (model.py), the reading and
checking of piano.xlsx (load.py), the blank Piano (blank.py)."""
