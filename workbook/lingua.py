"""How valuta writes counts in Italian, in one place: «1 errore», «2 errori», «1.250 persone».

Every message that states how many of something uses `conta` (the number and the noun) or
`parola` (the noun, or any word that agrees with the number: «risulta»/«risultano»), so that
«1 errori» cannot be written.
"""

from __future__ import annotations


def parola(n: int, one: str, many: str) -> str:
    """`one` for 1, else `many`."""
    return one if n == 1 else many


def conta(n: int, one: str, many: str) -> str:
    """«1 errore», «3 errori», «1.250 errori» (thousands with a dot)."""
    return f"{n:,}".replace(",", ".") + " " + parola(n, one, many)
