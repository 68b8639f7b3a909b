"""The very hidden `_valuta` sheet: the workbook's identity (contract.IDENTITY_FIELDS) and its
map — the key, sheet, cell, kind and allowed values of every input and result."""

from __future__ import annotations

from workbook.contract import IDENTITY_FIELDS, MAP_HEADER, MAP_HEADER_ROW, META, MapEntry
from workbook.generate.model import Sheet


def meta(identity: dict[str, str], mappa: list[MapEntry]) -> Sheet:
    ws = Sheet(META, very_hidden=True)
    ws.widths.update({0: 40, 1: 14, 2: 8, 3: 8, 4: 30})
    ws.put(0, 0, "campo", "header")
    ws.put(0, 1, "valore", "header")
    for i, name in enumerate(IDENTITY_FIELDS, start=1):
        ws.put(i, 0, name, "text")
        ws.put(i, 1, identity.get(name, ""), "text")
    for col, label in enumerate(MAP_HEADER):
        ws.put(MAP_HEADER_ROW - 1, col, label, "header")
    for i, entry in enumerate(mappa, start=MAP_HEADER_ROW):
        for col, value in enumerate(
            (entry.chiave, entry.foglio, entry.cella, entry.tipo, entry.ammessi)
        ):
            if value:  # no cell for an empty «ammessi» (results have none): 1 in 9 fewer
                ws.put(i, col, value, "text")
    return ws
