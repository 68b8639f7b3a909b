"""The Piano della Performance and the staff roster: model, reading of piano.xlsx, the blank Piano."""
