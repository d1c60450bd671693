"""The guard: what a file is, from its bytes, and whether a workbook is safe to hand to a parser — zip
container, sheet scans and a sandbox, every size, count and time bounded. Entry points: ``safety``."""
