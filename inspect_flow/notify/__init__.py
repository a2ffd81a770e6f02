"""Reminders by e-mail: which reminders are due on a day, the record of each one (sent once), the digests
that carry them, and sending them over SMTP (or to the log). No Flask here: the CLI and the web call it."""
