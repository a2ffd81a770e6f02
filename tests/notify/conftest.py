"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and helpers to read messages back."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from inspect_flow.accounts.operations import use_fast_hashing


class Mailbox:
    """What the server accepted: ``(envelope sender, recipients, parsed message)``; refuses *refuse* recipients."""

    def __init__(self):
        self.received: list[tuple[str, list[str], EmailMessage]] = []
        self.raw: list[bytes] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if address in self.refuse:
            return '550 5.1.1 Mailbox unavailable'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        raw = envelope.original_content or envelope.content
        self.raw.append(raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return '250 Message accepted'

    def take(self) -> list[tuple[str, list[str], EmailMessage]]:
        out, self.received, self.raw = self.received, [], []
        return out


class SmtpServer:
    """The server, stoppable (an outage) and restartable on the same port."""

    def __init__(self):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            self.port = s.getsockname()[1]
        self.mailbox = Mailbox()
        self.controller: Controller | None = None
        self.url = f'smtp://127.0.0.1:{self.port}'

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname='127.0.0.1', port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope='module')
def smtp_server():  # noqa: ANN201
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server):  # noqa: ANN001, ANN201
    smtp_server.mailbox.take()
    smtp_server.mailbox.refuse.clear()
    if smtp_server.controller is None:
        smtp_server.start()
    yield smtp_server
    smtp_server.mailbox.take()


@pytest.fixture(autouse=True, scope='module')
def _fast_hashing() -> None:
    use_fast_hashing()


LINK = re.compile(r'https?://[^\s"<>]+')


def parts(msg: EmailMessage) -> tuple[str, str]:
    """The text and the HTML part of a digest."""
    return msg.get_body(('plain',)).get_content(), msg.get_body(('html',)).get_content()


def links(text: str) -> list[str]:
    return LINK.findall(text)
