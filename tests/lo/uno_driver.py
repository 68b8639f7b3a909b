"""Drive LibreOffice Calc as a person would, for the tests. Runs under Debian's python3 (uno).

Usage: /usr/bin/python3 uno_driver.py JOB.json RESULT.json

The job lists documents; for each one it types values into cells through the user-interface
path (select the cell with .uno:GoToCell, then .uno:EnterString), which honours sheet
protection and data validation, unlike the UNO cell API. It then recalculates, reads cells back
and saves copies (xlsx and/or ods). The result records, for every typed cell, whether the cell
took the value.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


# Online spell checking runs in an idle timer once a cell has been edited through the view; in
# a headless office it can throw from that timer and abort soffice (seen with LibreOffice 7.4
# while storing the document). The tests need no spelling: switch it off in the profile.
REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Linguistic/SpellChecking"><prop oor:name="IsSpellAuto"
 oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Input"><prop oor:name="AutoInput"
 oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def start_office(profile):
    user = os.path.join(profile, "user")
    os.makedirs(user, exist_ok=True)
    with open(os.path.join(user, "registrymodifications.xcu"), "w") as fh:
        fh.write(REGISTRY)
    pipe = "valuta_test_%d" % os.getpid()
    proc = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
         "--nolockcheck", "-env:UserInstallation=file://" + profile,
         "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe],
        stdout=subprocess.DEVNULL, stderr=open(os.environ.get("VALUTA_LO_LOG", os.devnull), "w"),
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 90
    while True:
        try:
            ctx = resolver.resolve(
                "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            return proc, ctx
        except Exception:
            if time.time() > deadline or proc.poll() is not None:
                raise
            time.sleep(0.3)


def cell_content(cell):
    """(kind, value): number, text or empty, as the user sees the computed cell."""
    from com.sun.star.table.CellContentType import EMPTY, FORMULA, TEXT, VALUE

    ctype = cell.getType()
    if ctype == EMPTY:
        return ["empty", None]
    if ctype == VALUE:
        return ["number", cell.getValue()]
    if ctype == TEXT:
        return ["text", cell.getString()]
    if ctype == FORMULA:
        from com.sun.star.table.CellContentType import TEXT as _T  # noqa: F401
        # FormulaResultType2: 1 = VALUE, 2 = TEXT (com.sun.star.sheet.FormulaResult)
        result = cell.FormulaResultType2
        if result == 1:
            return ["number", cell.getValue()]
        return ["text", cell.getString()]
    return ["other", cell.getString()]


def run(job):
    profile = tempfile.mkdtemp(prefix="lo_profile_")
    proc, ctx = start_office(profile)
    results = []
    try:
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        for doc_job in job["documents"]:
            url = uno.systemPathToFileUrl(os.path.abspath(doc_job["file"]))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            controller = doc.getCurrentController()
            frame = controller.getFrame()
            typed = []
            for fill in doc_job.get("fills", []):
                sheet = doc.Sheets.getByName(fill["sheet"])
                controller.setActiveSheet(sheet)
                dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0,
                                           (prop("ToPoint", fill["cell"]),))
                cell = sheet.getCellRangeByName(fill["cell"])
                before = cell.getFormula()
                dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0,
                                           (prop("StringName", str(fill["value"])),))
                after = cell.getFormula(); sys.stderr.write("typed %s %s -> %r\n" % (fill["cell"], fill["value"], after))
                typed.append({"sheet": fill["sheet"], "cell": fill["cell"],
                              "value": fill["value"], "before": before, "after": after,
                              "changed": before != after})
            if doc_job.get("recalculate", True):
                doc.calculateAll()
            read = {}
            for ref in doc_job.get("read", []):
                sheet_name, cell_name = ref.split("!")
                cell = doc.Sheets.getByName(sheet_name).getCellRangeByName(cell_name)
                read[ref] = cell_content(cell)
            protection = {}
            for i in range(doc.Sheets.getCount()):
                s = doc.Sheets.getByIndex(i)
                protection[s.getName()] = bool(s.isProtected())
            saved = []
            for target in doc_job.get("save", []):
                out = uno.systemPathToFileUrl(os.path.abspath(target["path"]))
                doc.storeToURL(out, (prop("FilterName", target["filter"]),))
                saved.append(target["path"])
            doc.dispose()
            results.append({"file": doc_job["file"], "typed": typed, "read": read,
                            "protected": protection, "structure_protected":
                            bool(doc.isProtected()) if hasattr(doc, "isProtected") else None,
                            "saved": saved})
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=30)
        except Exception:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)
    return results


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    out = run(job)
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=1)
