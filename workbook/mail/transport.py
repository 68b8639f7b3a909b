"""Delivering composed messages: to an SMTP server over verified TLS, or as .eml files.

A transport delivers one message to one recipient at a time and turns every failure into a
catalogue anomaly (`POSTA-…`) wrapped in `ConsegnaFallita`: `fatale` when no later message
can succeed either (server unreachable, certificate, authentication), so the caller stops
trying; not `fatale` when only that message failed (a recipient refused). The password is
taken only from the environment and never appears in a message, a file or a log.
"""

from __future__ import annotations

import base64
import email.policy
import smtplib
import socket
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from workbook.anomalies import Codice, anomalia
from workbook.cycle import SETTINGS, Posta
from workbook.errors import ConsegnaFallita
from workbook.files import write_bytes

PASSWORD_ENV = "VALUTA_SMTP_PASSWORD"


def unwritable(percorso: str, exc: OSError, chi: str) -> ConsegnaFallita:
    """A file of the message (the .eml, or the workbook built for it) could not be written."""
    return ConsegnaFallita(
        anomalia(
            Codice.POSTA_FILE_NON_SCRIVIBILE,
            percorso=percorso,
            dettaglio=exc.strerror or str(exc) or type(exc).__name__,
            chi=chi,
        ),
        fatale=False,
    )


class Trasporto(Protocol):
    """Delivers one message to one recipient; returns the file written, or ""."""

    @property
    def descrizione(self) -> str: ...

    @property
    def esito(self) -> str:
        """What a delivery is called in the register: «inviato» or «scritto»."""
        ...

    def consegna(
        self, msg: EmailMessage, mittente: str, destinatario: str, *, nome: str, chi: str
    ) -> str: ...

    def close(self) -> None: ...


class FileEml:
    """No server configured: each message becomes a .eml file (CRLF line ends, as RFC 5322
    wants), ready to be opened and sent from the secretary's own mail or PEC client."""

    esito = "scritto"

    def __init__(self, folder: Path, root: Path) -> None:
        self.folder = folder
        self.root = root

    @property
    def descrizione(self) -> str:
        return f"file .eml in {self.folder.relative_to(self.root).as_posix()}/"

    def consegna(
        self, msg: EmailMessage, mittente: str, destinatario: str, *, nome: str, chi: str
    ) -> str:
        target = self.folder / f"{nome}.eml"
        n = 1
        while target.exists():
            n += 1
            target = self.folder / f"{nome}-{n}.eml"
        # Outlook opens a message marked «X-Unsent» as a draft, ready to send; other clients
        # ignore the header and show the message, to be forwarded or «edited as new».
        msg["X-Unsent"] = "1"
        relative = target.relative_to(self.root).as_posix()
        try:
            write_bytes(target, msg.as_bytes(policy=email.policy.SMTP))
        except OSError as exc:
            raise unwritable(relative, exc, chi) from None
        return relative

    def close(self) -> None:
        pass


class Smtp:
    """An SMTP server, reached once and reused for every message of a command.

    smtplib does not verify the server's certificate unless it is given an SSL context, so
    `context` (from `ssl.create_default_context`) is always passed, for «ssl» and «starttls».
    """

    esito = "inviato"

    def __init__(self, posta: Posta, password: str, context: ssl.SSLContext) -> None:
        self.posta = posta
        self._password = password
        self._context = context
        self._smtp: smtplib.SMTP | None = None

    @property
    def server(self) -> str:
        return f"{self.posta.host}:{self.posta.porta}"

    @property
    def descrizione(self) -> str:
        return f"server {self.server} ({self.posta.sicurezza})"

    def __repr__(self) -> str:  # never the password, whatever prints this object
        return f"Smtp({self.descrizione})"

    # --- connection ---------------------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        p = self.posta
        phase = "connessione"
        smtp: smtplib.SMTP | None = None
        try:
            if p.sicurezza == "ssl":
                smtp = smtplib.SMTP_SSL(p.host, p.porta, timeout=p.timeout, context=self._context)
            else:
                smtp = smtplib.SMTP(p.host, p.porta, timeout=p.timeout)
            smtp.ehlo()
            if p.sicurezza == "starttls":
                phase = "starttls"
                smtp.starttls(context=self._context)
                smtp.ehlo()
            if p.utente:
                phase = "autenticazione"
                _login(smtp, p.utente, self._password)
            return smtp
        except (OSError, smtplib.SMTPException, UnicodeError) as exc:
            if smtp is not None:
                smtp.close()
            raise self._failure(exc, phase) from None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
        finally:
            self._smtp.close()
            self._smtp = None

    # --- delivery -----------------------------------------------------------------------

    def consegna(
        self, msg: EmailMessage, mittente: str, destinatario: str, *, nome: str, chi: str
    ) -> str:
        for attempt in (1, 2):
            smtp = self._connection()
            try:
                smtp.send_message(msg, from_addr=mittente, to_addrs=[destinatario])
                return ""
            except smtplib.SMTPServerDisconnected as exc:
                # The server closed an idle connection between two messages: reconnect once.
                self._smtp = None
                smtp.close()
                if attempt == 2:
                    raise self._failure(exc, "invio", destinatario, chi) from None
            except (OSError, smtplib.SMTPException) as exc:
                raise self._failure(exc, "invio", destinatario, chi) from None
        raise AssertionError("unreachable")  # pragma: no cover

    # --- failures → anomalies -------------------------------------------------------------

    def _failure(
        self,
        exc: BaseException,
        phase: str,
        destinatario: str = "",
        chi: str = "",
    ) -> ConsegnaFallita:
        server = self.server

        def fatal(codice: Codice, **params: object) -> ConsegnaFallita:
            return ConsegnaFallita(anomalia(codice, file=SETTINGS, **params), fatale=True)

        if isinstance(exc, ssl.SSLCertVerificationError):
            detail = exc.verify_message or exc.reason or str(exc)
            return fatal(Codice.POSTA_CERTIFICATO, server=server, dettaglio=detail)
        if isinstance(exc, ssl.SSLError):
            return fatal(
                Codice.POSTA_CONNESSIONE_PROTETTA,
                server=server,
                sicurezza=self.posta.sicurezza,
                dettaglio=exc.reason or str(exc),
            )
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return fatal(Codice.POSTA_AUTENTICAZIONE, server=server, dettaglio=_response(exc))
        if isinstance(exc, smtplib.SMTPNotSupportedError) and phase == "starttls":
            return fatal(
                Codice.POSTA_CONNESSIONE_PROTETTA,
                server=server,
                sicurezza=self.posta.sicurezza,
                dettaglio="il server non offre STARTTLS",
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError) and phase == "autenticazione":
            return fatal(
                Codice.POSTA_AUTENTICAZIONE,
                server=server,
                dettaglio="(il server non offre l'autenticazione su questa connessione)",
            )
        if isinstance(exc, smtplib.SMTPSenderRefused):
            if exc.smtp_code == 530:  # «authentication required»
                return fatal(
                    Codice.POSTA_AUTENTICAZIONE,
                    server=server,
                    dettaglio=f"(il server la richiede: indicare «utente»; {_response(exc)})",
                )
            return fatal(
                Codice.POSTA_MITTENTE_RIFIUTATO,
                server=server,
                mittente=_decode(exc.sender),
                dettaglio=_response(exc),
            )
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            answers = "; ".join(
                f"risposta {code} {_decode(text)}" for code, text in exc.recipients.values()
            )
            return ConsegnaFallita(
                anomalia(
                    Codice.POSTA_DESTINATARIO_RIFIUTATO,
                    indirizzo=destinatario,
                    chi=chi,
                    dettaglio=answers,
                ),
                fatale=False,
            )
        if phase == "invio" and isinstance(
            exc, smtplib.SMTPDataError | smtplib.SMTPNotSupportedError | smtplib.SMTPHeloError
        ):
            return ConsegnaFallita(
                anomalia(
                    Codice.POSTA_MESSAGGIO_RIFIUTATO,
                    indirizzo=destinatario,
                    chi=chi,
                    dettaglio=_response(exc),
                ),
                fatale=False,
            )
        return fatal(Codice.POSTA_SERVER_IRRAGGIUNGIBILE, server=server, dettaglio=_why(exc))


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """Authenticate. smtplib encodes user and password as ASCII and fails on «è»; for those,
    AUTH PLAIN, which carries UTF-8 (RFC 4616), is sent by hand."""
    if (user + password).isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, response = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, response)


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _response(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"risposta {exc.smtp_code} {_decode(exc.smtp_error)}".strip()
    return str(exc) or type(exc).__name__


def _why(exc: BaseException) -> str:
    """An Italian reason for a network failure."""
    if isinstance(exc, socket.gaierror):
        return "nome del server sconosciuto"
    if isinstance(exc, TimeoutError):
        return "nessuna risposta entro il tempo massimo"
    if isinstance(exc, ConnectionRefusedError):
        return "connessione rifiutata"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "la connessione si è interrotta"
    if isinstance(exc, smtplib.SMTPResponseException):
        return _response(exc)
    return str(exc) or type(exc).__name__
