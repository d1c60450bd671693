"""The engine: Catalogue + Submission → results, scores and chapters. pandas and numpy only: no I/O, no
printing. Entry point: ``evaluate.evaluate``."""
