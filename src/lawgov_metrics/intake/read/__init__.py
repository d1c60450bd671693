"""Reading: workbooks, long tables, columnar ledgers and the units register → one ``Submission``.
Entry point: ``submissions.read_submissions``."""
