"""PDFs with reportlab: fonts, the GB/T 9704-2012 page, and each printed document in its own module."""
