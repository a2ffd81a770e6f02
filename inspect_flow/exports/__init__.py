"""Exports of a round (and across rounds) to XLSX workbooks and CSV files. No Flask here.

* :mod:`.tables` turns the records of a round into typed tables (columns with a type, a Vietnamese and an
  English header, a width), streaming their rows;
* :mod:`.writers` writes the tables as an XLSX workbook (openpyxl in its streaming write-only mode) or as CSV
  files (UTF-8 with a BOM, so that Excel opens them right);
* :mod:`.operations` is what the web pages, the API and the CLI call.
"""
