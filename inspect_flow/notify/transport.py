"""Sending: over SMTP (``INSPECT_FLOW_SMTP_URL``) with :mod:`smtplib`, or to the log when no server is set."""

from __future__ import annotations

import functools
import logging
import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from inspect_flow.core.errors import InvalidInput

logger = logging.getLogger('inspect_flow.notify')
TIMEOUT = 20.0


class NotSent(Exception):
    """The server did not take the message; *down* when it could not be reached at all (nothing else will go
    either until the next run)."""

    def __init__(self, reason: str, *, down: bool):
        super().__init__(reason)
        self.reason = reason
        self.down = down


class LogTransport:
    """No SMTP server: each message goes to the log (its headers and text part), and counts as sent."""

    name = 'log'

    def send(self, msg: EmailMessage) -> None:
        text = msg.get_body(('plain',))
        logger.info('e-mail (no INSPECT_FLOW_SMTP_URL) To: %s Subject: %s Message-ID: %s\n%s', msg['To'],
                    msg['Subject'], msg['Message-ID'], text.get_content() if text is not None else '')

    def close(self) -> None:
        pass


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The system's CA certificates, verified host names (made once: loading the CAs takes tens of ms)."""
    return ssl.create_default_context()


def _bad(url: str, why_vi: str, why_en: str) -> InvalidInput:
    return InvalidInput('smtp.bad_url', f'INSPECT_FLOW_SMTP_URL không hợp lệ: {why_vi}.',
                        f'INSPECT_FLOW_SMTP_URL is not valid: {why_en}.', field='INSPECT_FLOW_SMTP_URL')


class SmtpTransport:
    """One connection per run, opened at the first message: ``smtp://host:port`` (plain, ``?starttls=1`` to
    upgrade), ``smtps://host:port`` (SSL from the start), ``user:password@`` to log in."""

    name = 'smtp'

    def __init__(self, url: str, *, timeout: float = TIMEOUT):
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise _bad(url, 'cổng sai', 'bad port') from None
        if parts.scheme not in ('smtp', 'smtps') or not parts.hostname:
            raise _bad(url, 'phải có dạng smtp://máy-chủ:cổng hoặc smtps://…',
                       'it must be smtp://host:port or smtps://…')
        query = parse_qs(parts.query)
        self.ssl = parts.scheme == 'smtps'
        self.starttls = not self.ssl and query.get('starttls', ['0'])[0].lower() in ('1', 'true', 'yes')
        self.host = parts.hostname
        self.port = port or (465 if self.ssl else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self.where = f'{parts.scheme}://{self.host}:{self.port}'
        self._smtp: smtplib.SMTP | None = None
        self._down: str | None = None

    def _connect(self) -> smtplib.SMTP:
        context = _tls_context() if self.ssl or self.starttls else None
        if self.ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or '')
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, msg: EmailMessage) -> None:
        """Hand *msg* to the server.

        :raise NotSent: refused (this message only) or the server is down (``down``: every later message too)
        """
        if self._down is not None:
            raise NotSent(self._down, down=True)
        try:
            if self._smtp is None:
                self._smtp = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            self._down = f'{self.where}: {type(exc).__name__}: {exc}'[:480]
            raise NotSent(self._down, down=True) from None
        try:
            self._smtp.send_message(msg)
        except smtplib.SMTPServerDisconnected as exc:
            self._smtp = None
            self._down = f'{self.where}: {type(exc).__name__}: {exc}'[:480]
            raise NotSent(self._down, down=True) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = '; '.join(f'{addr}: {code} {text.decode(errors="replace") if isinstance(text, bytes) else text}'
                              for addr, (code, text) in exc.recipients.items())
            raise NotSent(f'{self.where}: {codes}'[:480], down=False) from None
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error
            raise NotSent(f'{self.where}: {exc.smtp_code} {text}'[:480], down=False) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._smtp = None
            self._down = f'{self.where}: {type(exc).__name__}: {exc}'[:480]
            raise NotSent(self._down, down=True) from None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None


def transport_for(url: str | None) -> LogTransport | SmtpTransport:
    """The transport *url* names (``None``: the log)."""
    return SmtpTransport(url) if url else LogTransport()
