"""E-mails and PEC messages as mail clients and PEC providers build them, for the tests.

A PEC «busta di trasporto» (DPR 68/2005, DM 2 novembre 2005, allegato tecnico §§ 2.1, 3.1):

    multipart/signed; protocol="application/pkcs7-signature"
    ├── multipart/mixed
    │   ├── multipart/alternative          the provider's text, plain and html
    │   │   ├── text/plain
    │   │   └── text/html
    │   ├── application/xml  daticert.xml  certified sender, time, type («posta-certificata»)
    │   └── message/rfc822   postacert.eml the original message, with its attachments
    └── application/pkcs7-signature  smime.p7s

with the headers X-Trasporto: posta-certificata, From: "Per conto di: <sender>"
<posta-certificata@provider>, Reply-To: <sender>. A «ricevuta di avvenuta consegna completa»
has the same shape, X-Ricevuta: avvenuta-consegna and a daticert of type «avvenuta-consegna»,
and carries the original again.
"""

from __future__ import annotations

import datetime as dt
from email import policy
from email.message import EmailMessage, Message
from email.mime.application import MIMEApplication
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PROVIDER = "pec.aruba.example"


def message(
    sender: str,
    subject: str,
    attachments: list[tuple[str, bytes]],
    date: str = "Mon, 22 Jan 2018 10:00:00 +0100",
    to: str = "segreteria@almenno-sb.example",
) -> EmailMessage:
    """A message as a mail client writes it: text, then the attachments."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = f"<{abs(hash((sender, subject, date)))}@client.example>"
    msg.set_content("In allegato il modulo compilato.\nCordiali saluti")
    for name, data in attachments:
        if name.endswith((".xlsx", ".ods")):
            maintype, subtype = XLSX
        elif name.endswith(".pdf"):
            maintype, subtype = "application", "pdf"
        else:
            maintype, subtype = "application", "octet-stream"
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def daticert(
    tipo: str, sender: str, to: str, subject: str, when: dt.datetime, ident: str = "opec0001"
) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE postacert SYSTEM "postacert.dtd">
<postacert tipo="{tipo}" errore="nessuno">
  <intestazione>
    <mittente>{sender}</mittente>
    <destinatari tipo="certificato">{to}</destinatari>
    <risposte>{sender}</risposte>
    <oggetto>{subject}</oggetto>
  </intestazione>
  <dati>
    <gestore-emittente>Aruba PEC S.p.A.</gestore-emittente>
    <data zona="+0100">
      <giorno>{when:%d/%m/%Y}</giorno>
      <ora>{when:%H:%M:%S}</ora>
    </data>
    <identificativo>{ident}.20180122100000.00001@{PROVIDER}</identificativo>
    <msgid>&lt;{ident}@client.example&gt;</msgid>
    {"<consegna>" + to + "</consegna>" if tipo == "avvenuta-consegna" else ""}
  </dati>
</postacert>
""".encode()


def pec(
    original: EmailMessage,
    when: dt.datetime = dt.datetime(2018, 1, 22, 10, 0, 5),
    *,
    receipt: bool = False,
    original_as: str = "rfc822",  # rfc822 | base64 (message/rfc822 sent in base64) | octet
) -> bytes:
    """The PEC envelope (or, `receipt`, the delivery receipt) of `original`, as bytes."""
    sender = str(original["From"])
    to = str(original["To"])
    subject = str(original["Subject"])
    tipo = "avvenuta-consegna" if receipt else "posta-certificata"
    if receipt:
        text = (
            f"Ricevuta di avvenuta consegna\nIl giorno {when:%d/%m/%Y} alle ore {when:%H:%M:%S} "
            f"il messaggio «{subject}» proveniente da «{sender}» è stato consegnato a «{to}»."
        )
    else:
        text = (
            f"Messaggio di posta certificata\nIl giorno {when:%d/%m/%Y} alle ore "
            f"{when:%H:%M:%S} il messaggio «{subject}» è stato inviato da «{sender}» "
            f"indirizzato a: {to}\nIl messaggio originale è incluso in allegato."
        )
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(text, "plain", "utf-8"))
    alternative.attach(MIMEText(f"<html><body><p>{text}</p></body></html>", "html", "utf-8"))
    mixed = MIMEMultipart("mixed")
    mixed.attach(alternative)
    cert = MIMEApplication(daticert(tipo, sender, to, subject, when), "xml")
    cert.add_header("Content-Disposition", "attachment", filename="daticert.xml")
    mixed.attach(cert)
    mixed.attach(_original(original, original_as))
    signed = MIMEMultipart("signed", protocol="application/pkcs7-signature", micalg="sha-256")
    signed.attach(mixed)
    signature = MIMEApplication(b"0\x82\x05\x00" + b"\x00" * 64, "pkcs7-signature")
    signature.add_header("Content-Disposition", "attachment", filename="smime.p7s")
    signed.attach(signature)
    provider = f"posta-certificata@{PROVIDER}"
    if receipt:
        signed["From"] = provider
        signed["X-Ricevuta"] = "avvenuta-consegna"
        signed["Subject"] = f"CONSEGNA: {subject}"
    else:
        signed["From"] = f'"Per conto di: {sender}" <{provider}>'
        signed["Reply-To"] = sender
        signed["X-Trasporto"] = "posta-certificata"
        signed["Subject"] = f"POSTA CERTIFICATA: {subject}"
    signed["To"] = to
    signed["Date"] = format_datetime(when.replace(tzinfo=dt.timezone(dt.timedelta(hours=1))))
    signed["X-Riferimento-Message-ID"] = str(original["Message-ID"])
    signed["Message-ID"] = f"<opec.{when:%Y%m%d%H%M%S}@{PROVIDER}>"
    return signed.as_bytes(policy=policy.SMTP)


def _original(original: EmailMessage, how: str) -> Message:
    if how == "rfc822":
        part: Message = MIMEMessage(original)
    elif how == "base64":
        part = MIMEApplication(original.as_bytes(), "octet-stream")
        part.replace_header("Content-Type", "message/rfc822")
    else:  # an .eml attachment sent as a generic file
        part = MIMEApplication(original.as_bytes(), "octet-stream")
    part.add_header("Content-Disposition", "attachment", filename="postacert.eml")
    return part
