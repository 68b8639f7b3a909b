"""Check, in LibreOffice Calc, that every printed sheet of a workbook shows its text whole.
Runs under Debian's python3 (uno), like uno_driver.py, whose office start it reuses.

Usage: /usr/bin/python3 print_check.py JOB.json RESULT.json

Besides the text, per sheet: a print area of a single column wider than the page (which
LibreOffice does not scale: it cuts the column), and any hidden sheet with a print area
(which LibreOffice prints).

The job lists documents ({"file", "pdf", "sheets", "max_rows"}); for each visible sheet (or
only `sheets`, when given) the driver reads the page setup (paper, orientation, fit to pages,
print areas) and every non-empty cell of the print area: its text, merged area, font, wrap
and alignment, and the widths and heights of its columns and rows as LibreOffice lays them
out. A cell's box is its merged area, widened, for text that is not wrapped, by the empty
cells the text may run into (to the right; both ways when centred).

Measuring is batched in a scratch document: each text goes into a cell of its own row, in a
column as wide as its box and with its font, wrapped; one call gives every row its optimal
height, which is the height the text needs in that width. The text fits when that height is
within the height of its box (a small tolerance for rounding). A text that is not wrapped fits
when it needs a single line. A row whose height the file leaves to the application
(OptimalHeight: no `ht` in the xlsx) counts as one line of its largest font, which is what
Excel shows; LibreOffice alone would grow it to fit the wrapped text.

With "pdf", the document is also exported to that PDF (calc_pdf_Export), for pdfinfo.
"""

import os
import sys
import time

import uno

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uno_driver import main, prop, start_office, stop_office  # noqa: E402

FONT_PROPS = (
    "CharFontName",
    "CharHeight",
    "CharWeight",
    "CharPosture",
    "IsTextWrapped",
    "HoriJustify",
)
TOLERANCE = 40  # 1/100 mm: 0.4 mm, rounding between points, twips and LibreOffice's units
ROW_LIMIT = 1000  # a row Calc sizes optimally is at most this tall (a sanity bound)


def col_name(col):
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


def ref(row, col):
    return "%s%d" % (col_name(col), row + 1)


def page_setup(doc, sheet):
    style = doc.StyleFamilies.getByName("PageStyles").getByName(sheet.PageStyle)
    return {
        "width": style.Width,
        "height": style.Height,
        "printable": style.Width - style.LeftMargin - style.RightMargin,
        "landscape": bool(style.IsLandscape),
        "scale_x": style.ScaleToPagesX,
        "scale_y": style.ScaleToPagesY,
        "print_areas": [
            [a.StartRow, a.StartColumn, a.EndRow, a.EndColumn] for a in sheet.getPrintAreas()
        ],
    }


def read_sheet(doc, sheet, max_rows):
    """The page setup and the text cells of one sheet, each with its box."""
    setup = page_setup(doc, sheet)
    areas = setup["print_areas"]
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    used_row, used_col = cursor.RangeAddress.EndRow, cursor.RangeAddress.EndColumn
    if areas:
        r1, c1, r2, c2 = areas[0]
    else:
        r1, c1, r2, c2 = 0, 0, used_row, used_col
    outside = used_col > c2 or used_row > r2
    r2 = min(r2, used_row, r1 + max_rows - 1) if max_rows else min(r2, used_row)
    c2 = min(c2, used_col)
    rng = sheet.getCellRangeByPosition(c1, r1, c2, r2)
    data = rng.getDataArray()
    formulas = rng.getFormulaArray()
    columns, rows = sheet.getColumns(), sheet.getRows()
    widths = [columns.getByIndex(c).Width for c in range(c1, c2 + 1)]
    heights, auto = [], []
    for r in range(r1, r2 + 1):
        height, optimal = rows.getByIndex(r).getPropertyValues(("Height", "OptimalHeight"))
        heights.append(height)
        auto.append(bool(optimal))
    # Formatting, read once per set of cells formatted alike (a few dozen calls a sheet, not
    # a few per cell: each UNO call crosses a pipe). A merged area's first cell carries its
    # span among its attributes, so a set is either all first cells of merges or none.
    style = {}
    merged_at = set()
    groups = rng.getUniqueCellFormatRanges()
    for n in range(groups.getCount()):
        group = groups.getByIndex(n)
        addresses = group.getRangeAddresses()
        props = group.getPropertyValues(FONT_PROPS)
        a = addresses[0]
        first = sheet.getCellRangeByPosition(a.StartColumn, a.StartRow, a.StartColumn, a.StartRow)
        has_merge = first.getIsMerged()
        for a in addresses:
            for i in range(a.StartRow - r1, a.EndRow - r1 + 1):
                for j in range(a.StartColumn - c1, a.EndColumn - c1 + 1):
                    style[(i, j)] = props
                    if has_merge:
                        merged_at.add((i, j))
    cells = []
    covered = set()
    for i, line in enumerate(data):
        for j, value in enumerate(line):
            if (i, j) in covered or not isinstance(value, str) or not value.strip():
                continue
            props = style[(i, j)]
            last_row, last_col = i, j
            if (i, j) in merged_at:
                merged = sheet.createCursorByRange(sheet.getCellByPosition(c1 + j, r1 + i))
                merged.collapseToMergedArea()
                a = merged.RangeAddress
                last_row, last_col = a.EndRow - r1, a.EndColumn - c1
                for mi in range(i, last_row + 1):
                    for mj in range(j, last_col + 1):
                        covered.add((mi, mj))
            cells.append(
                {
                    "ref": ref(r1 + i, c1 + j),
                    "i": i,
                    "j": j,
                    "last_i": last_row,
                    "last_j": last_col,
                    "text": value,
                    "font": props[0],
                    "size": props[1],
                    "weight": props[2],
                    "posture": int(props[3].value != "NONE"),
                    "wrap": bool(props[4]),
                    "justify": props[5].value,
                }
            )
    empty = [[not (f or d) for f, d in zip(fl, dl)] for fl, dl in zip(formulas, data)]
    for c in cells:
        c["width"] = sum(widths[c["j"] : min(c["last_j"], len(widths) - 1) + 1])
        c["spill"] = c["width"]
        if not c["wrap"] and c["last_i"] == c["i"]:
            # Text that is not wrapped runs into the empty cells beside it, in the print area.
            right = c["last_j"] + 1
            while right < len(widths) and empty[c["i"]][right]:
                c["spill"] += widths[right]
                right += 1
            if c["justify"] == "CENTER":
                # Centred text spreads evenly: as wide as twice its narrower side.
                left = c["j"] - 1
                extra_left = 0
                while left >= 0 and empty[c["i"]][left]:
                    extra_left += widths[left]
                    left -= 1
                c["spill"] = c["width"] + 2 * min(extra_left, c["spill"] - c["width"])
    # LibreOffice fits a sheet to the page width by the pages it needs at 100%: a print area
    # of one column wider than the page needs one page, so it is not scaled, and the column
    # is cut at the margin.
    too_wide = len(widths) == 1 and widths[0] > setup["printable"]
    return {
        "setup": setup,
        "cells": cells,
        "heights": heights,
        "auto": auto,
        "outside": outside,
        "too_wide": too_wide,
        "rows": r2 - r1 + 1,
    }


def measure(desktop, items):
    """For each (text, font, size, weight, posture, width): the height the text needs, wrapped
    in that width, and the height of one line of that font."""
    scratch = desktop.loadComponentFromURL(
        "private:factory/scalc", "_blank", 0, (prop("Hidden", True),)
    )
    sheet = scratch.Sheets.getByIndex(0)
    groups = {}
    for k, item in enumerate(items):
        groups.setdefault(tuple(item[1:]), []).append(k)
    # One line of each font: the same fonts, the text «Xg» in a wide column.
    fonts = sorted({key[:4] for key in groups})
    rows_of = {}
    row = 0
    columns = sheet.getColumns()
    for g, (key, members) in enumerate(sorted(groups.items())):
        font, size, weight, posture, width = key
        col = columns.getByIndex(g)
        col.Width = max(int(width), 10)
        rng = sheet.getCellRangeByPosition(g, row, g, row + len(members) - 1)
        rng.setPropertyValues(
            ("CharFontName", "CharHeight", "CharWeight", "CharPosture", "IsTextWrapped"),
            (font, size, weight, _posture(posture), True),
        )
        rng.setDataArray(tuple((items[k][0],) for k in members))
        for offset, k in enumerate(members):
            rows_of[k] = row + offset
        row += len(members)
    g = len(groups)
    one_line = {}
    for f, (font, size, weight, posture) in enumerate(fonts):
        cell = sheet.getCellByPosition(g, row + f)
        cell.setPropertyValues(
            ("CharFontName", "CharHeight", "CharWeight", "CharPosture"),
            (font, size, weight, _posture(posture)),
        )
        cell.setString("Xg")
        one_line[(font, size, weight, posture)] = row + f
    total = row + len(fonts)
    sheet_rows = sheet.getRows()
    sheet.getCellRangeByPosition(0, 0, g, total - 1).getRows().OptimalHeight = True
    heights = [sheet_rows.getByIndex(r).Height for r in range(total)]
    scratch.close(True)
    needed = [heights[rows_of[k]] for k in range(len(items))]
    lines = {key: heights[r] for key, r in one_line.items()}
    return needed, lines


def _posture(italic):
    from com.sun.star.awt.FontSlant import ITALIC, NONE

    return ITALIC if italic else NONE


def check(desktop, doc_job):
    path = os.path.abspath(doc_job["file"])
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(path), "_blank", 0, (prop("Hidden", True),)
    )
    if doc is None:
        raise RuntimeError("LibreOffice non ha aperto " + doc_job["file"])
    only = doc_job.get("sheets")
    sheets = {}
    hidden = []
    for s in range(doc.Sheets.getCount()):
        sheet = doc.Sheets.getByIndex(s)
        name = sheet.getName()
        if not sheet.IsVisible:
            if sheet.getPrintAreas():
                hidden.append(name)  # LibreOffice prints a hidden sheet with a print area
            continue
        if only and name not in only:
            continue
        sheets[name] = read_sheet(doc, sheet, doc_job.get("max_rows", 0))
    if doc_job.get("pdf"):
        doc.storeToURL(
            uno.systemPathToFileUrl(os.path.abspath(doc_job["pdf"])),
            (prop("FilterName", "calc_pdf_Export"),),
        )
    doc.close(True)
    return sheets, hidden


def verdicts(sheets, needed, lines):
    """The problems of each sheet: [ref, what, needed, available] per cell that clips."""
    k = 0
    out = {}
    for name, sheet in sheets.items():
        problems = []
        heights, auto = sheet["heights"], sheet["auto"]
        # The height a row the file does not size would have in Excel: one line of its
        # largest font.
        line_of_row = {}
        for c in sheet["cells"]:
            key = (c["font"], c["size"], c["weight"], c["posture"])
            line_of_row[c["i"]] = max(line_of_row.get(c["i"], 0), lines[key])
        for c in sheet["cells"]:
            need = needed[k]
            k += 1
            line = lines[(c["font"], c["size"], c["weight"], c["posture"])]
            box = 0
            for i in range(c["i"], c["last_i"] + 1):
                if auto[i] and c["last_i"] == c["i"]:
                    box += min(heights[i], line_of_row[i])
                else:
                    box += heights[i]
            if c["wrap"]:
                if need > box + TOLERANCE:
                    problems.append(
                        [c["ref"], "wrapped text taller than its rows", need, box, c["text"][:80]]
                    )
            else:
                if need > line + TOLERANCE:
                    problems.append(
                        [
                            c["ref"],
                            "text wider than its cell and the empty ones beside it",
                            need,
                            line,
                            c["text"][:80],
                        ]
                    )
                elif line > box + TOLERANCE:
                    problems.append(
                        [c["ref"], "font taller than its row", line, box, c["text"][:80]]
                    )
        out[name] = problems
    return out


def run(job):
    import tempfile

    profile = tempfile.mkdtemp(prefix="lo_print_")
    proc, ctx = start_office(profile)
    started = time.time()
    try:
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        checked = [check(desktop, d) for d in job["documents"]]
        documents = [sheets for sheets, _ in checked]
        items = [
            (c["text"], c["font"], c["size"], c["weight"], c["posture"], c["spill"])
            for sheets in documents
            for s in sheets.values()
            for c in s["cells"]
        ]
        read = time.time() - started
        unique = sorted(set(items))  # the same text in the same box is measured once
        measured_unique, lines = measure(desktop, unique)
        by_item = dict(zip(unique, measured_unique))
        needed = [by_item[item] for item in items]
        measured = time.time() - started - read
        results = []
        offset = 0
        for d, sheets, (_, hidden) in zip(job["documents"], documents, checked):
            n = sum(len(s["cells"]) for s in sheets.values())
            problems = verdicts(sheets, needed[offset : offset + n], lines)
            offset += n
            results.append(
                {
                    "file": d["file"],
                    "hidden_printed": hidden,
                    "sheets": {
                        name: {
                            "setup": s["setup"],
                            "cells": len(s["cells"]),
                            "rows": s["rows"],
                            "outside": s["outside"],
                            "too_wide": s["too_wide"],
                            "problems": problems[name],
                        }
                        for name, s in sheets.items()
                    },
                }
            )
        return {
            "documents": results,
            "seconds": time.time() - started,
            "read_seconds": read,
            "measure_seconds": measured,
        }
    finally:
        stop_office(desktop, proc, profile)


if __name__ == "__main__":
    main(run)
