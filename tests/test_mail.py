"""`valuta distribute`, `remind` and `send`: real SMTP servers on 127.0.0.1, real certificates.

Each test copies a reconciled almenno cycle, points `valuta.toml [posta]` at a server started
here (aiosmtpd: plain, STARTTLS or SSL with a certificate from a test CA made by trustme, with
or without authentication), runs a command, then parses every message the server received with
the standard `email` parser and opens its attachment: the right recipient got the right
workbook, and nobody got anyone else's people. Assertions are on codes, recipients and
attachments, not on wording.
"""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import hashlib
import io
import json
import shutil
import socket
import ssl
import tomllib
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from workbook import cli
from workbook.anomalies import Codice
from workbook.contract import META
from workbook.cycle import Cycle
from workbook.errors import PostaError
from workbook.mail.deliver import Resoconto, deliver, valid_address
from workbook.mail.messages import plan_distribute, plan_remind, plan_send
from workbook.pipeline import reconcile_and_report

from .helpers import read_map

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
USER, PASSWORD, ASCII_PASSWORD = "segreteria", "s3greta-è-lunga", "s3greta"
AREAS = {
    "AREA1": {str(m) for m in range(201, 208)},
    "AREA2": {str(m) for m in range(208, 216)},
    "AREA3": {str(m) for m in range(216, 222)},
}
PO = {"101", "102", "103"}
ADDRESSES = {
    "AREA1": "g.ferrari@almenno-sb.example",
    "AREA2": "e.colombo@almenno-sb.example",
    "AREA3": "p.ricci@almenno-sb.example",
    "nucleo": "nucleo.valutazione@almenno-sb.example",
}


# --- a real SMTP server -----------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    authenticated: bool


@dataclass
class Sink:
    """The server's handler: keeps every message, refuses what it is told to refuse."""

    refuse_rcpt: set[str] = field(default_factory=set)
    refuse_sender: bool = False
    too_big: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.refuse_sender:
            return "550 5.7.1 Mittente non autorizzato"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse_rcpt:
            return "550 5.1.1 Casella inesistente"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.too_big & set(envelope.rcpt_tos):
            return "552 5.3.4 Messaggio troppo grande"
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(
            Received(
                envelope.mail_from, list(envelope.rcpt_tos), message, bool(session.authenticated)
            )
        )
        return "250 2.0.0 Accettato"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == USER.encode()
    ok = ok and data.password in (PASSWORD.encode(), ASCII_PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    port: int
    sink: Sink
    mode: str

    @property
    def received(self) -> list[Received]:
        return self.sink.received

    def by_recipient(self) -> dict[str, Received]:
        out: dict[str, Received] = {}
        for r in self.received:
            (rcpt,) = r.rcpt_tos
            assert rcpt not in out, f"{rcpt} ha ricevuto due messaggi"
            out[rcpt] = r
        return out


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca-comune.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def smtp(ca: trustme.CA) -> Iterator[Callable[..., Server]]:
    """Start SMTP servers on 127.0.0.1: smtp("plain"|"starttls"|"ssl", auth=…, sink=…)."""
    controllers: list[Controller] = []

    def start(mode: str = "plain", *, auth: bool = False, sink: Sink | None = None) -> Server:
        sink = sink or Sink()
        port = free_port()
        kwargs: dict[str, Any] = {}
        if mode in ("starttls", "ssl"):
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
            if mode == "starttls":
                kwargs.update(tls_context=context, require_starttls=True)
            else:
                kwargs["ssl_context"] = context
        if auth:
            # aiosmtpd counts only STARTTLS as TLS: with implicit TLS, AUTH is offered only.
            required = mode == "starttls"
            kwargs.update(
                authenticator=authenticate, auth_required=required, auth_require_tls=required
            )
        controller = Controller(
            sink, hostname="127.0.0.1", port=port, server_hostname="smtp.test", **kwargs
        )
        controller.start()
        controllers.append(controller)
        return Server(port, sink, mode)

    yield start
    for controller in controllers:
        controller.stop()


# --- cycles -------------------------------------------------------------------------------------


def deliver_filled(cycle: Cycle, *moduli: str) -> None:
    for modulo in moduli:
        shutil.copy(cycle.root / "compilati" / f"{modulo}.xlsx", cycle.ricevuti / f"{modulo}.xlsx")


def cell_of(cycle: Cycle, modulo: str, key: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        entries = read_map(cycle.root / "compilati" / f"{modulo}.xlsx")
    return next(e.cella for e in entries if e.chiave == key)


BAD_KEY = "dipendente/209/utenza"


@pytest.fixture(scope="module")
def reconciled(filled: Cycle, tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    """Every workbook returned: definitive results."""
    cycle = Cycle(tmp_path_factory.mktemp("definitivo") / "ciclo")
    shutil.copytree(filled.root, cycle.root)
    deliver_filled(cycle, "AREA1", "AREA2", "AREA3", "nucleo")
    assert reconcile_and_report(cycle).outcome.ha_errori is False
    return cycle


@pytest.fixture(scope="module")
def provisional(filled: Cycle, tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    """AREA3 never returned, AREA2 returned with a score outside the list: provisional."""
    cycle = Cycle(tmp_path_factory.mktemp("provvisorio") / "ciclo")
    shutil.copytree(filled.root, cycle.root)
    deliver_filled(cycle, "AREA1", "AREA2", "nucleo")
    target = cycle.ricevuti / "AREA2.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(target)
    wb["Valutazioni"][cell_of(cycle, "AREA2", BAD_KEY)] = 11
    wb.save(target)
    assert reconcile_and_report(cycle).outcome.ha_errori is True
    return cycle


def copy_of(cycle: Cycle, tmp_path: Path) -> Cycle:
    copy = Cycle(tmp_path / "ciclo")
    shutil.copytree(cycle.root, copy.root)
    return copy


@pytest.fixture
def cycle(reconciled: Cycle, tmp_path: Path) -> Cycle:
    return copy_of(reconciled, tmp_path)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def configure(
    cycle: Cycle,
    server: Server | None = None,
    *,
    destinatari: list[str] | None = None,
    ciclo: dict[str, object] | None = None,
    **posta: object,
) -> None:
    """Rewrite valuta.toml: [posta] pointing at `server`, plus any setting given."""
    data = tomllib.loads(cycle.settings_path.read_text(encoding="utf-8"))
    if server is not None:
        security = {"plain": "nessuna", "starttls": "starttls", "ssl": "ssl"}[server.mode]
        data["posta"].update(host="127.0.0.1", porta=server.port, sicurezza=security, timeout=10)
    data["posta"].update(posta)
    data["ciclo"].update(ciclo or {})
    if destinatari is not None:
        data["risultati"]["destinatari"] = destinatari
    lines = []
    for section, values in data.items():
        lines += [f"[{section}]", *(f"{k} = {_toml(v)}" for k, v in values.items()), ""]
    cycle.settings_path.write_text("\n".join(lines), encoding="utf-8")


def edit_piano(cycle: Cycle, edit: Callable[[openpyxl.Workbook], None]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(cycle.piano_path)
    edit(wb)
    wb.save(cycle.piano_path)


# --- reading what arrived ---------------------------------------------------------------------


def attachment(message: EmailMessage) -> tuple[str, bytes]:
    (part,) = list(message.iter_attachments())
    assert part.get_content_type() == XLSX_TYPE
    data = part.get_content()
    assert isinstance(data, bytes)
    return part.get_filename() or "", data


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_xlsx(data: bytes) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # protected workbooks: openpyxl warns about extensions
        return openpyxl.load_workbook(io.BytesIO(data))


def identity(data: bytes) -> dict[str, Any]:
    """The `_valuta` identity of a workbook (field in A, value in B)."""
    wb = open_xlsx(data)
    out = {}
    for row in wb[META].iter_rows(min_row=2, max_col=2, values_only=True):
        if row[0] is None:
            break
        out[str(row[0])] = row[1]
    return out


def all_values(data: bytes) -> set[str]:
    wb = open_xlsx(data)
    return {
        str(v).strip()
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    }


def register(cycle: Cycle) -> list[dict[str, str]]:
    with (cycle.posta / "registro.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def codes(report: Resoconto | PostaError) -> list[str]:
    problems = report.anomalies if isinstance(report, PostaError) else report.anomalie
    return [a.codice.code for a in problems]


def states(report: Resoconto) -> dict[str, str]:
    return {e.messaggio.indirizzo: e.stato for e in report.esiti}


def distribute(cycle: Cycle, **options: bool) -> Resoconto:
    return deliver(cycle, plan_distribute(cycle), **options)


# --- valuta distribute --------------------------------------------------------------------------


def test_distribute_gives_each_responsabile_only_their_areas_workbook(
    cycle: Cycle, smtp: Callable[..., Server]
) -> None:
    server = smtp("plain")
    configure(cycle, server)

    def accented(wb: openpyxl.Workbook) -> None:
        ws = wb["Personale"]
        row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "101")
        row[2].value = "Niccolò"

    edit_piano(cycle, accented)
    report = distribute(cycle)

    assert codes(report) == [] and report.conta("inviato") == 4
    received = server.by_recipient()
    assert set(received) == set(ADDRESSES.values())
    for modulo, address in ADDRESSES.items():
        message = received[address].message
        name, data = attachment(message)
        assert name == f"{modulo}.xlsx"
        assert sha(data) == sha((cycle.moduli / name).read_bytes())
        assert str(identity(data)["area"]) == modulo
        assert received[address].mail_from == "segreteria@almenno-sb.example"
        text = body(message)
        assert "31/01/2018" in text and "segreteria@almenno-sb.example" in text
        assert ".xlsx" in text and ".ods" in text and "PEC" in text
        assert message["Message-ID"] and message["Date"]
    # Accents travel encoded (RFC 2047) and come back intact.
    ferrari = received[ADDRESSES["AREA1"]].message
    assert ferrari["To"].addresses[0].display_name == "Ferrari Niccolò"
    raw = ferrari.as_bytes(policy=email.policy.SMTP)
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii() and b"=?utf-8?" in headers


def test_starttls_with_the_comunes_own_ca_and_a_password_from_the_environment(
    cycle: Cycle,
    smtp: Callable[..., Server],
    ca_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = smtp("starttls", auth=True)
    shutil.copy(ca_file, cycle.root / "ca-comune.pem")
    configure(cycle, server, utente=USER, cafile="ca-comune.pem")  # relative to the cycle
    monkeypatch.setenv("VALUTA_SMTP_PASSWORD", PASSWORD)
    report = distribute(cycle)
    assert codes(report) == [] and report.conta("inviato") == 4
    assert all(r.authenticated for r in server.received)
    # The password is never written anywhere.
    for path in cycle.root.rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".toml", ".eml", ".json", ".txt"):
            assert PASSWORD not in path.read_text(encoding="utf-8", errors="replace"), path


def test_ssl_with_the_comunes_own_ca(
    cycle: Cycle, smtp: Callable[..., Server], ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp("ssl", auth=True)
    configure(cycle, server, utente=USER, cafile=str(ca_file))
    monkeypatch.setenv("VALUTA_SMTP_PASSWORD", ASCII_PASSWORD)
    report = distribute(cycle)
    assert codes(report) == [] and set(server.by_recipient()) == set(ADDRESSES.values())
    assert all(r.authenticated for r in server.received)


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_a_certificate_that_does_not_verify_is_refused(
    cycle: Cycle, smtp: Callable[..., Server], mode: str
) -> None:
    server = smtp(mode)
    configure(cycle, server)  # no cafile: the test CA is not trusted
    report = distribute(cycle)
    assert codes(report) == [Codice.POSTA_CERTIFICATO.code]
    assert server.received == []
    assert set(states(report).values()) == {"non inviato"}
    assert {row["esito"] for row in register(cycle)} == {"non riuscito"}


@pytest.mark.parametrize(
    ("server_mode", "security"), [("plain", "starttls"), ("plain", "ssl")], ids=["starttls", "ssl"]
)
def test_a_server_without_tls_is_reported(
    cycle: Cycle, smtp: Callable[..., Server], server_mode: str, security: str
) -> None:
    server = smtp(server_mode)
    configure(cycle, server, sicurezza=security)
    report = distribute(cycle)
    assert codes(report) == [Codice.POSTA_CONNESSIONE_PROTETTA.code]
    assert server.received == []


def test_a_wrong_password_is_reported_and_nothing_is_sent(
    cycle: Cycle, smtp: Callable[..., Server], ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp("starttls", auth=True)
    configure(cycle, server, utente=USER, cafile=str(ca_file))
    monkeypatch.setenv("VALUTA_SMTP_PASSWORD", "sbagliata")
    report = distribute(cycle)
    assert codes(report) == [Codice.POSTA_AUTENTICAZIONE.code]
    assert server.received == [] and report.conta("non inviato") == 4
    assert "sbagliata" not in (cycle.posta / "registro.csv").read_text(encoding="utf-8-sig")


def test_a_server_that_wants_authentication_without_a_user(
    cycle: Cycle, smtp: Callable[..., Server], ca_file: Path
) -> None:
    server = smtp("starttls", auth=True)
    configure(cycle, server, cafile=str(ca_file))
    report = distribute(cycle)
    assert codes(report) == [Codice.POSTA_AUTENTICAZIONE.code] and server.received == []


def test_a_missing_password_stops_before_sending(
    cycle: Cycle, smtp: Callable[..., Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp("starttls", auth=True)
    configure(cycle, server, utente=USER)
    monkeypatch.delenv("VALUTA_SMTP_PASSWORD", raising=False)
    with pytest.raises(PostaError) as exc:
        distribute(cycle)
    assert codes(exc.value) == [Codice.POSTA_PASSWORD_MANCANTE.code]
    assert server.received == [] and not (cycle.posta / "registro.csv").exists()


def test_a_password_over_an_unprotected_connection_is_refused(
    cycle: Cycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(cycle, host="posta.comune.example", sicurezza="nessuna", utente=USER)
    monkeypatch.setenv("VALUTA_SMTP_PASSWORD", PASSWORD)
    with pytest.raises(PostaError) as exc:
        distribute(cycle)
    assert codes(exc.value) == [Codice.POSTA_PASSWORD_IN_CHIARO.code]


def test_an_unreadable_cafile_stops_before_sending(cycle: Cycle) -> None:
    configure(cycle, host="127.0.0.1", porta=free_port(), cafile="manca.pem")
    with pytest.raises(PostaError) as exc:
        distribute(cycle)
    assert codes(exc.value) == [Codice.POSTA_CAFILE_NON_VALIDO.code]


def test_a_server_down_is_reported_and_a_later_run_delivers_everything(
    cycle: Cycle, smtp: Callable[..., Server]
) -> None:
    configure(cycle, host="127.0.0.1", porta=free_port(), sicurezza="nessuna")  # nobody there
    report = distribute(cycle)
    assert codes(report) == [Codice.POSTA_SERVER_IRRAGGIUNGIBILE.code]
    assert set(states(report).values()) == {"non inviato"}

    server = smtp("plain")
    configure(cycle, server)
    report = distribute(cycle)
    assert codes(report) == [] and report.conta("inviato") == 4
    assert set(server.by_recipient()) == set(ADDRESSES.values())


def test_a_refused_recipient_does_not_stop_the_others(
    cycle: Cycle, smtp: Callable[..., Server]
) -> None:
    sink = Sink(refuse_rcpt={ADDRESSES["AREA2"]})
    server = smtp("plain", sink=sink)
    configure(cycle, server)
    report = distribute(cycle)
    assert codes(report) == [Codice.POSTA_DESTINATARIO_RIFIUTATO.code]
    assert states(report)[ADDRESSES["AREA2"]] == "non inviato"
    assert set(server.by_recipient()) == set(ADDRESSES.values()) - {ADDRESSES["AREA2"]}
    assert cli.main(["distribute", "--dir", str(cycle.root)]) == 1  # still refused

    sink.refuse_rcpt.clear()  # the address was fixed: only the missing message goes
    before = len(server.received)
    report = distribute(cycle)
    assert codes(report) == [] and report.conta("inviato") == 1
    assert [r.rcpt_tos for r in server.received[before:]] == [[ADDRESSES["AREA2"]]]


def test_a_message_the_server_refuses_does_not_stop_the_others(
    cycle: Cycle, smtp: Callable[..., Server]
) -> None:
    server = smtp("plain", sink=Sink(too_big={ADDRESSES["nucleo"]}))
    configure(cycle, server)
    report = distribute(cycle)
    assert codes(report) == [Codice.POSTA_MESSAGGIO_RIFIUTATO.code]
    assert len(server.received) == 3


def test_a_refused_sender_is_reported_once(cycle: Cycle, smtp: Callable[..., Server]) -> None:
    server = smtp("plain", sink=Sink(refuse_sender=True))
    configure(cycle, server, mittente="Ufficio Personale <personale@almenno-sb.example>")
    report = distribute(cycle)
    assert codes(report) == [Codice.POSTA_MITTENTE_RIFIUTATO.code]
    assert report.conta("non inviato") == 4


def test_a_rerun_sends_nothing_twice_and_force_sends_again(
    cycle: Cycle, smtp: Callable[..., Server]
) -> None:
    server = smtp("plain")
    configure(cycle, server)
    assert distribute(cycle).conta("inviato") == 4
    again = distribute(cycle)
    assert again.conta("inviato") == 0 and again.conta("già inviato") == 4
    assert len(server.received) == 4
    forced = distribute(cycle, force=True)
    assert forced.conta("inviato") == 4 and len(server.received) == 8
    rows = register(cycle)
    assert len(rows) == 8 and {r["esito"] for r in rows} == {"inviato"}
    by_module = {r["modulo"]: r for r in rows}
    assert by_module["AREA1"]["sha256"] == sha((cycle.moduli / "AREA1.xlsx").read_bytes())
    assert by_module["AREA1"]["destinatario"] == ADDRESSES["AREA1"]


def test_a_regenerated_workbook_is_a_new_message(cycle: Cycle, smtp: Callable[..., Server]) -> None:
    server = smtp("plain")
    configure(cycle, server)
    distribute(cycle)
    path = cycle.moduli / "AREA1.xlsx"
    path.write_bytes(path.read_bytes() + b"\0")  # another content, another fingerprint
    report = distribute(cycle)
    assert report.conta("inviato") == 1 and report.conta("già inviato") == 3


def test_dry_run_sends_and_writes_nothing(cycle: Cycle, smtp: Callable[..., Server]) -> None:
    server = smtp("plain")
    configure(cycle, server)
    report = distribute(cycle, dry_run=True)
    assert report.prova and set(states(report).values()) == {"da inviare"}
    assert server.received == [] and not cycle.posta.exists()
    configure(cycle, host="")
    assert cli.main(["distribute", "--dir", str(cycle.root), "--dry-run"]) == 0
    assert not cycle.posta.exists()


def test_without_a_server_each_message_is_an_eml_file(cycle: Cycle) -> None:
    report = distribute(cycle)  # host = "" as valuta init writes it
    assert codes(report) == [] and report.conta("scritto") == 4
    files = sorted(cycle.posta.glob("*.eml"))
    assert len(files) == 4
    seen = {}
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        (to,) = message["To"].addresses
        name, data = attachment(message)
        assert sha(data) == sha((cycle.moduli / name).read_bytes())
        seen[to.addr_spec] = name
    assert seen == {address: f"{m}.xlsx" for m, address in ADDRESSES.items()}
    rows = register(cycle)
    assert {r["esito"] for r in rows} == {"scritto"}
    assert {r["file"] for r in rows} == {f"posta/{p.name}" for p in files}
    assert distribute(cycle).conta("già inviato") == 4 and len(list(cycle.posta.glob("*.eml"))) == 4


def test_an_address_missing_from_the_piano_is_reported_and_the_others_go(
    cycle: Cycle, smtp: Callable[..., Server]
) -> None:
    server = smtp("plain")
    configure(cycle, server)

    def no_nucleo_address(wb: openpyxl.Workbook) -> None:
        ws = wb["Ente"]
        row = next(r for r in ws.iter_rows() if str(r[0].value).startswith("E-mail del Nucleo"))
        row[1].value = None

    edit_piano(cycle, no_nucleo_address)
    report = distribute(cycle)
    assert codes(report) == [Codice.POSTA_INDIRIZZO_MANCANTE.code]
    (problem,) = report.anomalie
    assert (problem.file, problem.foglio) == ("piano.xlsx", "Ente")
    assert set(server.by_recipient()) == set(ADDRESSES.values()) - {ADDRESSES["nucleo"]}
    assert report.non_inviati == 1


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("d'angelo@comune.example", True),
        ("rossi@comune-à.example", False),  # accents need SMTPUTF8, which few servers offer
        ("nicolò.rossi@comune.example", False),
        ("segreteria@comune", False),
        ("a@b.it\r\nBcc: altri@x.it", False),
        ("Nome <a@b.it>", False),
        ("", False),
    ],
)
def test_which_addresses_are_accepted(address: str, valid: bool) -> None:
    assert valid_address(address) is valid


def test_a_workbook_not_generated_stops_before_sending(cycle: Cycle) -> None:
    (cycle.moduli / "AREA2.xlsx").unlink()
    with pytest.raises(PostaError) as exc:
        distribute(cycle)
    assert codes(exc.value) == [Codice.POSTA_MODULO_NON_GENERATO.code]
    assert not cycle.posta.exists()


def test_no_sender_stops_before_sending(cycle: Cycle) -> None:
    configure(cycle, ciclo={"restituzione": ""}, mittente="", destinatari=[ADDRESSES["nucleo"]])
    with pytest.raises(PostaError) as exc:
        deliver(cycle, plan_send(cycle))
    assert codes(exc.value) == [Codice.POSTA_MITTENTE_MANCANTE.code]


@pytest.mark.parametrize("command", ["distribute", "remind"])
def test_without_a_return_address_nothing_tells_where_to_return(
    cycle: Cycle, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Right after `valuta init` «restituzione» is empty: the messages would tell the
    Responsabili to send their evaluations nowhere (once: to the Nucleo's address)."""
    configure(cycle, ciclo={"restituzione": ""})
    assert cli.main([command, "--dir", str(cycle.root)]) == 2
    said = capsys.readouterr().err
    assert "restituzione" in said and "[ciclo]" in said and "valuta.toml" in said
    assert not list(cycle.posta.glob("*.eml"))


def test_a_register_that_cannot_be_written_stops_before_sending(
    cycle: Cycle, smtp: Callable[..., Server]
) -> None:
    server = smtp("plain")
    configure(cycle, server)
    (cycle.posta / "registro.csv").mkdir(parents=True)  # not a file: cannot be replaced
    with pytest.raises(PostaError) as exc:
        distribute(cycle)
    assert codes(exc.value) == [Codice.POSTA_REGISTRO.code]
    assert server.received == []


# --- valuta remind ------------------------------------------------------------------------------


def test_remind_needs_the_results_of_a_reconcile(filled: Cycle, tmp_path: Path) -> None:
    cycle = copy_of(filled, tmp_path)
    with pytest.raises(PostaError) as exc:
        plan_remind(cycle)
    assert codes(exc.value) == [Codice.POSTA_RISULTATI_MANCANTI.code]
    assert cli.main(["remind", "--dir", str(cycle.root)]) == 2


def test_remind_lists_what_to_fix_and_attaches_what_is_missing(
    provisional: Cycle, tmp_path: Path, smtp: Callable[..., Server]
) -> None:
    cycle = copy_of(provisional, tmp_path)
    server = smtp("plain")
    configure(cycle, server)
    report = deliver(cycle, plan_remind(cycle))
    assert codes(report) == []
    received = server.by_recipient()
    # AREA1 and the Nucleo returned correct workbooks: no reminder for them.
    assert set(received) == {ADDRESSES["AREA2"], ADDRESSES["AREA3"]}

    missing = received[ADDRESSES["AREA3"]].message
    name, data = attachment(missing)
    assert name == "AREA3.xlsx" and sha(data) == sha((cycle.moduli / name).read_bytes())

    errors = received[ADDRESSES["AREA2"]].message
    assert list(errors.iter_attachments()) == []
    text = body(errors)
    assert Codice.REC_VALORE_NON_AMMESSO.code in text
    assert cell_of(cycle, "AREA2", BAD_KEY) in text and "Valutazioni" in text and "AREA2" in text
    assert Codice.REC_MODULO_MANCANTE.code not in text

    # Again: nothing new to say, nothing sent; the register tells the two apart.
    assert deliver(cycle, plan_remind(cycle)).conta("già inviato") == 2
    rows = register(cycle)
    assert {r["modulo"]: r["sha256"] for r in rows} == {"AREA2": "", "AREA3": sha(data)}


def test_an_altered_workbook_is_reminded_with_the_original_attached(
    filled: Cycle, tmp_path: Path, smtp: Callable[..., Server]
) -> None:
    """A returned workbook whose protected content was changed must be filled in again: the
    reminder says where, in words meant for the sender, and carries the original."""
    cycle = Cycle(tmp_path / "ciclo")
    shutil.copytree(filled.root, cycle.root)
    deliver_filled(cycle, "AREA1", "AREA2", "AREA3", "nucleo")
    target = cycle.ricevuti / "AREA1.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(target)
    wb["Obiettivi"]["F5"] = 30  # a weight
    wb.save(target)
    reconcile_and_report(cycle)
    server = smtp("plain")
    configure(cycle, server)
    assert codes(deliver(cycle, plan_remind(cycle))) == []
    (only,) = server.by_recipient().values()
    name, data = attachment(only.message)
    assert name == "AREA1.xlsx" and sha(data) == sha((cycle.moduli / name).read_bytes())
    text = body(only.message)
    assert Codice.REC_CELLA_MODIFICATA.code in text
    assert "foglio «Obiettivi», cella F5" in " ".join(text.split())
    assert "hiedere al" not in text  # the Segreteria's advice is not quoted to the sender


# --- valuta send --------------------------------------------------------------------------------


def test_send_gives_the_results_to_the_configured_recipients(
    cycle: Cycle, smtp: Callable[..., Server]
) -> None:
    server = smtp("plain")
    recipients = ["Segretario Comunale <segretario@almenno-sb.example>", ADDRESSES["nucleo"]]
    configure(cycle, server, destinatari=recipients)
    report = deliver(cycle, plan_send(cycle))
    assert codes(report) == []
    received = server.by_recipient()
    assert set(received) == {"segretario@almenno-sb.example", ADDRESSES["nucleo"]}
    results = cycle.risultati / "risultati-2017.xlsx"
    for r in received.values():
        name, data = attachment(r.message)
        assert name == results.name and sha(data) == sha(results.read_bytes())
        assert "PROVVISORI" not in r.message["Subject"]
    segretario = received["segretario@almenno-sb.example"].message["To"].addresses[0]
    assert segretario.display_name == "Segretario Comunale"


def test_send_without_recipients_is_a_usage_error(cycle: Cycle) -> None:
    with pytest.raises(PostaError) as exc:
        plan_send(cycle)
    assert codes(exc.value) == [Codice.POSTA_NESSUN_DESTINATARIO.code]
    assert cli.main(["send", "--dir", str(cycle.root)]) == 2


def test_an_invalid_configured_address_is_reported_and_the_others_go(
    cycle: Cycle, smtp: Callable[..., Server]
) -> None:
    server = smtp("plain")
    configure(cycle, server, destinatari=["segretario-at-comune", ADDRESSES["nucleo"]])
    report = deliver(cycle, plan_send(cycle))
    assert codes(report) == [Codice.POSTA_INDIRIZZO_NON_VALIDO.code]
    assert set(server.by_recipient()) == {ADDRESSES["nucleo"]}


def test_send_per_area_gives_each_responsabile_only_their_areas_people(
    cycle: Cycle, smtp: Callable[..., Server]
) -> None:
    server = smtp("plain")
    configure(cycle, server)
    report = deliver(cycle, plan_send(cycle, per_area=True))
    assert codes(report) == []
    received = server.by_recipient()
    assert set(received) == {ADDRESSES[a] for a in AREAS}
    everyone = set().union(*AREAS.values()) | PO
    for area, people in AREAS.items():
        name, data = attachment(received[ADDRESSES[area]].message)
        assert name == f"risultati-2017-{area}.xlsx"
        assert (cycle.posta / name).read_bytes() == data  # written under posta/
        wb = open_xlsx(data)
        matricole = {
            str(row[0]) for row in wb["Valutazioni"].iter_rows(min_row=2, values_only=True)
        }
        assert matricole == people
        values = all_values(data)
        assert not (everyone - people) & values, f"{area}: dati di altre Aree"
        others = {a for a in AREAS if a != area}
        assert not {v for v in values if any(o in v for o in others)}
    # The same results build the same bytes: nothing is sent twice.
    assert deliver(cycle, plan_send(cycle, per_area=True)).conta("già inviato") == 3


def test_the_per_area_results_never_name_a_person_of_another_area(
    filled: Cycle, tmp_path: Path
) -> None:
    """A person moved from AREA1 to AREA2 after the moduli went out: AREA1's modulo still has
    her row, and its anomaly names her (by matricola). She is now of AREA2: AREA1's
    Responsabile must not read about her."""
    import re

    from workbook.results.area import area_workbook, results_created

    cycle = copy_of(filled, tmp_path)
    wb = openpyxl.load_workbook(cycle.piano_path)
    ws = wb["Personale"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if str(row[0].value) == "201":
            row[header.index("Area")].value = "AREA2"
    wb.save(cycle.piano_path)
    deliver_filled(cycle, "AREA1", "AREA2", "AREA3", "nucleo")
    reconcile_and_report(cycle)
    from workbook.results.json import read_results

    data = read_results(cycle.risultati / "risultati-2017.json")
    assert data is not None
    moved = next(v for v in data["valutazioni"] if v["matricola"] == "201")
    assert any("201" in a["messaggio"] and a["modulo"] == "AREA1" for a in data["anomalie"])
    for area in ("AREA1", "AREA3"):
        built = area_workbook(
            data, area, area, "", provvisorio=True, created=results_created(data, 2017)
        )
        text = " ".join(all_values(built))
        assert not re.search(r"\b201\b", text) and moved["nominativo"] not in text, area


def test_a_file_that_cannot_be_written_stops_only_its_message(
    cycle: Cycle, smtp: Callable[..., Server]
) -> None:
    server = smtp("plain")
    configure(cycle, server)
    (cycle.posta / "risultati-2017-AREA1.xlsx").mkdir(parents=True)  # in the way
    report = deliver(cycle, plan_send(cycle, per_area=True))
    assert codes(report) == [Codice.POSTA_FILE_NON_SCRIVIBILE.code]
    assert states(report)[ADDRESSES["AREA1"]] == "non inviato"
    assert set(server.by_recipient()) == {ADDRESSES["AREA2"], ADDRESSES["AREA3"]}


def test_provisional_results_are_refused_unless_asked_and_then_marked(
    provisional: Cycle, tmp_path: Path, smtp: Callable[..., Server]
) -> None:
    cycle = copy_of(provisional, tmp_path)
    server = smtp("plain")
    configure(cycle, server, destinatari=[ADDRESSES["nucleo"]])
    for per_area in (False, True):
        with pytest.raises(PostaError) as exc:
            plan_send(cycle, per_area=per_area)
        assert codes(exc.value) == [Codice.POSTA_RISULTATI_PROVVISORI.code]
    assert cli.main(["send", "--dir", str(cycle.root)]) == 2
    assert server.received == []

    report = deliver(cycle, plan_send(cycle, provvisorio=True))
    assert codes(report) == [] and report.provvisorio
    report = deliver(cycle, plan_send(cycle, per_area=True, provvisorio=True))
    assert codes(report) == []
    assert len(server.received) == 4
    for r in server.received:
        assert "PROVVISORI" in r.message["Subject"] and "PROVVISORI" in body(r.message)
        name, data = attachment(r.message)
        assert "PROVVISORI" in name
        assert any("PROVVISORI" in v for v in all_values(data))
    area2 = attachment(server.by_recipient()[ADDRESSES["AREA2"]].message)[1]
    anomalies = open_xlsx(area2)["Anomalie"]
    assert {row[1] for row in anomalies.iter_rows(min_row=2, values_only=True)} == {
        Codice.REC_VALORE_NON_AMMESSO.code
    }


# --- the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["distribute", "remind", "send"])
def test_the_mail_commands_have_italian_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([command, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Uso:" in text and "--dry-run" in text and "--force" in text
    for word in ("Show this message", "Usage:", "[default"):
        assert word not in text


def test_the_commands_exit_0_1_2(
    cycle: Cycle, smtp: Callable[..., Server], capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(cycle.root)
    assert cli.main(["distribute", "--dir", root]) == 0  # as .eml files
    assert cli.main(["distribute", "--dir", root]) == 0  # already done
    assert len(list(cycle.posta.glob("*.eml"))) == 4
    assert cli.main(["remind", "--dir", root]) == 0  # nothing to remind
    server = smtp("plain", sink=Sink(refuse_rcpt={ADDRESSES["AREA1"]}))
    configure(cycle, server, destinatari=[ADDRESSES["nucleo"]])
    assert cli.main(["send", "--dir", root, "--per-area"]) == 1
    out = capsys.readouterr().out
    assert Codice.POSTA_DESTINATARIO_RIFIUTATO.code in out
    assert cli.main(["send", "--dir", root]) == 0
    assert cli.main(["send", "--dir", root, "--provvisorio", "--force", "--dry-run"]) == 0
    assert cli.main(["send", "--dir", str(cycle.root / "manca")]) == 2
    assert len(server.received) == 3
