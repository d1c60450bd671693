"""Reading what units submit, in three rooms: ``guard`` (is the file safe to open?), ``read`` (files →
figures and ledger records) and ``parse`` (one cell or column → a value or a precise reason)."""
