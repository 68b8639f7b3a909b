"""LibreOffice, when it is installed, to turn our documents and workbooks into PDF.

valuta never needs LibreOffice: without it the .docx and .xlsx files are the result, and the
commands say how to get a PDF. Found on the PATH (`soffice`, `libreoffice`) or, on Windows and
macOS, where its installer puts it. Each conversion runs headless with a profile of its own in a
temporary folder, so that it neither waits for nor disturbs a LibreOffice the user has open.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from workbook.errors import CycleError

TIMEOUT = 600  # seconds for one batch
# The profile's settings: an Italian locale, so that every PDF shows «1.695,26» and
# «31/12/2025» whatever the language of the machine it is made on.
SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale"
 oor:op="fuse"><value>it-IT</value></prop></item>
<item oor:path="/org.openoffice.Office.Linguistic/General"><prop oor:name="DefaultLocale"
 oor:op="fuse"><value>it-IT</value></prop></item>
</oor:items>
"""


def find_soffice() -> Path | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    candidates = [
        Path(os.environ.get(var, "")) / "LibreOffice" / "program" / "soffice.exe"
        for var in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")
        if os.environ.get(var)
    ]
    candidates.append(Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"))
    return next((c for c in candidates if c.is_file()), None)


def convert(paths: Sequence[Path], fmt: str, outdir: Path) -> list[Path]:
    """Convert `paths` (in one LibreOffice run) to `fmt` («pdf») in `outdir`; the written
    files, in the order of `paths`. A CycleError in Italian when LibreOffice fails."""
    soffice = find_soffice()
    if soffice is None:
        raise CycleError(
            "LibreOffice non è installato: per i PDF installarlo da "
            "https://www.libreoffice.org/download/ e ripetere il comando."
        )
    outdir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="valuta-lo-") as profile,
        tempfile.TemporaryDirectory(prefix=".valuta-pdf-", dir=outdir) as work,
    ):
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(SETTINGS, encoding="utf-8")
        command = [
            str(soffice),
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            work,
            *(str(p) for p in paths),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CycleError(f"LibreOffice non ha potuto convertire i file ({exc}).") from None
        made = [Path(work) / f"{p.stem}.{fmt}" for p in paths]
        missing = [p.name for p in made if not p.is_file()]
        if missing:
            raise CycleError(
                f"LibreOffice non ha scritto {', '.join(missing)}: se LibreOffice è aperto, "
                "chiuderlo e ripetere il comando."
            )
        # Each PDF takes its place whole (a PDF open in a viewer on Windows refuses: OSError).
        written = [outdir / m.name for m in made]
        for m, target in zip(made, written, strict=True):
            os.replace(m, target)
    return written
