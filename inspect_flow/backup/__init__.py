"""Backup and restore of a whole installation: the database, with the evidence files and the issued PDFs.

The evidence files (``evidence_files.data``) and the issued documents' frozen PDFs (``documents.pdf``) are kept
in the database itself, so one consistent copy of the database holds them all. A backup is one ``.tar.gz``:

* ``manifest.json``: the format and its version, the app's version, the Alembic revision, the kind of database,
  the SHA-256 and size of every other member, and the inventory of the evidence files and of the issued
  documents (each with its SHA-256), checked again in the restored database;
* ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the app keeps running) or
  ``database.pgdump`` (``pg_dump --format=custom``, one snapshot).

:func:`~inspect_flow.backup.operations.create_backup` and :func:`~inspect_flow.backup.operations.restore_backup`
are the operations; ``inspect-flow backup`` and ``inspect-flow restore`` are their shell.
"""
