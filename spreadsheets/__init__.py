"""Spreadsheets in and out: reading messy lists clerks receive, mapping their columns, parsing cells.

Reading (``reading``, ``tables``, ``columns``, ``values``) knows nothing of the database: it turns a
file into rows of clean values and Chinese messages about the cells it cannot take.

Importing (``importing``, with ``choices``, ``mappings`` and ``error_workbook``) checks those rows against
the registers and hands the accepted ones to ``models.imports``, the only place that writes them.
"""
