"""Drive LibreOffice Calc as a person would, for the tests. Runs under Debian's python3 (uno).

Usage: /usr/bin/python3 uno_driver.py JOB.json RESULT.json

The job lists documents; for each one the driver types values into cells through the
user-interface path (select the cell with .uno:GoToCell, then .uno:EnterString), which honours
sheet protection, unlike the UNO cell API. It then recalculates, reads cells back and saves
copies (xlsx and/or ods). The result records, for every typed cell, whether it took the value.

The office runs with an Italian locale, as in a Comune: numbers are typed as «87,5».

Two LibreOffice 7.4 quirks shape how it is used:
- it needs the full `libreoffice-calc` package: `libreoffice-calc-nogui` ships no .ui files,
  and once a cell has been edited through the view, Calc builds its formula bar from one in an
  idle callback; without the file the builder throws and soffice aborts («Unspecified
  Application Error» from SvpSalInstance::CheckTimeout);
- a refused edit of a protected cell starts an asynchronous message box that a headless office
  never closes, and a second refused edit in the same document disposes it and crashes
  (SIGSEGV in Dialog::dispose): a job types into at most one locked cell per document.
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

REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale"
 oor:op="fuse"><value>it-IT</value></prop></item>
<item oor:path="/org.openoffice.Linguistic/SpellChecking"><prop oor:name="IsSpellAuto"
 oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Input"><prop oor:name="AutoInput"
 oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


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
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 120
    while True:
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            return proc, ctx
        except Exception:
            if time.time() > deadline or proc.poll() is not None:
                raise
            time.sleep(0.3)


def cell_content(cell):
    """[kind, value] of what the cell shows: number, text or empty."""
    from com.sun.star.table.CellContentType import EMPTY, FORMULA, TEXT, VALUE

    ctype = cell.getType()
    if ctype == EMPTY:
        return ["empty", None]
    if ctype == VALUE:
        return ["number", cell.getValue()]
    if ctype == TEXT:
        return ["text", cell.getString()]
    if ctype == FORMULA:
        # com.sun.star.sheet.FormulaResult: VALUE = 1, STRING = 2, ERROR = 4
        result = cell.FormulaResultType2
        if result == 1:
            return ["number", cell.getValue()]
        if result == 4:
            return ["error", cell.getString()]
        return ["text", cell.getString()]
    return ["other", cell.getString()]


def process(desktop, dispatcher, doc_job):
    path = os.path.abspath(doc_job["file"])
    # A lock file left by an office that died would make the load ask "open read-only?".
    lock = os.path.join(os.path.dirname(path), ".~lock." + os.path.basename(path) + "#")
    if os.path.exists(lock):
        os.remove(lock)
    url = uno.systemPathToFileUrl(path)
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
    if doc is None:
        raise RuntimeError("LibreOffice non ha aperto " + doc_job["file"])
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
        after = cell.getFormula()
        typed.append({"sheet": fill["sheet"], "cell": fill["cell"], "value": fill["value"],
                      "before": before, "after": after, "changed": before != after})
    if doc_job.get("recalculate", True):
        doc.calculateAll()
    read = {}
    for ref in doc_job.get("read", []):
        sheet_name, cell_name = ref.split("!")
        read[ref] = cell_content(doc.Sheets.getByName(sheet_name).getCellRangeByName(cell_name))
    protected = {}
    for i in range(doc.Sheets.getCount()):
        sheet = doc.Sheets.getByIndex(i)
        protected[sheet.getName()] = bool(sheet.isProtected())
    for target in doc_job.get("save", []):
        out = uno.systemPathToFileUrl(os.path.abspath(target["path"]))
        doc.storeToURL(out, (prop("FilterName", target["filter"]),))
    doc.close(True)
    return {"file": doc_job["file"], "typed": typed, "read": read, "protected": protected}


def run(job):
    profile = tempfile.mkdtemp(prefix="lo_profile_")
    proc, ctx = start_office(profile)
    try:
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        return [process(desktop, dispatcher, d) for d in job["documents"]]
    finally:
        stop_office(desktop, proc, profile)


def stop_office(desktop, proc, profile):
    """Close the office started by start_office and remove its profile."""
    try:
        desktop.terminate()
    except Exception:
        pass
    try:
        proc.wait(timeout=60)
    except Exception:
        proc.kill()
    shutil.rmtree(profile, ignore_errors=True)


def main(run):
    """`python3 DRIVER.py JOB.json RESULT.json`: the job's result, as JSON."""
    with open(sys.argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    result = run(job)
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main(run)
