"""The two engines of one Sistema: Python (engine.py) and the workbooks' Excel formulas
(formulas.py).
"""
