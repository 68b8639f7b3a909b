"""`valuta generate --controlla` and one rule of strictness (issue 17): what generating needs
stops `generate`; what sending needs stops the mail commands; `--controlla` reports both in
one round and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook.anomalies import Codice
from workbook.cli import main
from workbook.cycle import init_cycle, load_sample
from workbook.piano.blank import write_piano


def _cycle(tmp_path: Path, change: object) -> Path:
    root = tmp_path / "c"
    init_cycle(root, "almenno-2017")
    data = load_sample("almenno-2017")
    change(data)  # type: ignore[operator]
    write_piano(root / "piano.xlsx", data)
    return root


def _no_addresses(data: dict) -> None:
    data["aree"][1]["email"] = None  # AREA2, row 3 of Aree
    data["ente"]["email_nucleo"] = None


def test_a_missing_address_does_not_stop_generate_but_stops_the_mail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _cycle(tmp_path, _no_addresses)
    assert main(["generate", "--dir", str(root)]) == 0
    assert (root / "moduli" / "AREA2.xlsx").is_file()
    capsys.readouterr()
    assert main(["distribute", "--dir", str(root), "--dry-run"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert Codice.POSTA_INDIRIZZO_MANCANTE.code in out


def test_controlla_reports_what_generate_and_the_mail_need_in_one_run_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(data: dict) -> None:
        _no_addresses(data)
        data["personale"][3]["area"] = "AREA 1"  # a Piano error, row 5 of Personale

    root = _cycle(tmp_path, change)
    capsys.readouterr()
    assert main(["generate", "--dir", str(root), "--controlla"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert Codice.PIANO_AREA_SCONOSCIUTA.code in out
    assert not list((root / "moduli").iterdir())
    # With the Piano's error corrected, the mail's problems are all there in one round.
    data = load_sample("almenno-2017")
    _no_addresses(data)
    write_piano(root / "piano.xlsx", data)
    assert main(["generate", "--dir", str(root), "--controlla"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert out.count(Codice.POSTA_INDIRIZZO_MANCANTE.code) == 2
    assert "Aree" in out and "Ente" in out and "2 errori" in out
    assert not list((root / "moduli").iterdir())
    assert main(["generate", "--dir", str(root)]) == 0


def test_controlla_passes_a_complete_cycle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "c"
    init_cycle(root, "almenno-2017")
    assert main(["generate", "--dir", str(root), "--controlla"]) == 0
    assert "Nessun errore" in capsys.readouterr().out
