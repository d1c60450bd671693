"""Read what people really type into a cell: text, numbers, percents, yes/no, dates, periods, years, IDs, choices.

Every reader comes in two forms that follow the same rules (a property test holds them together):

* ``parse_x(value) -> Parsed`` for one cell of a summary sheet;
* ``parse_x_series(series) -> ParsedColumn`` for a ledger column of up to a million rows, vectorised with
  pyarrow compute and numpy. pandas' own ``str.normalize``/``translate``/``extract`` fall back to a Python
  loop per row, so the text path calls pyarrow kernels directly: RE2 only tests a cell's shape, numbers are
  cut out by trims and casts (dates: by byte arithmetic), and a column with few distinct strings is
  dictionary-encoded so each distinct string is read once. Python's NFKC (Unicode 14 in 3.11) and
  pyarrow's may differ on characters assigned since; nothing a form is filled with.

A cell has three outcomes: a value; *blank* (None, "", whitespace only — including U+3000 and zero-width
characters — and NaN/NA/NaT, which is how pandas spells an empty cell), left to the caller who knows
whether the field is required; or a failure with one of the short Chinese reasons of :mod:`.outcomes`,
mapped to an issue code of :mod:`lawgov_metrics.issues` by ``REASON_CODES``. A failure is never a silent NaN.

One module per kind of value, each importing only modules above it in this list:

* :mod:`.outcomes` — the reasons, ``Parsed`` and ``ParsedColumn``;
* :mod:`.cleaning` — cleaning text, in a cell and in an Arrow column; text columns as pandas ``str``;
* :mod:`.reading` — the base of every reader: a cell or a column sorted by input type, put back together;
* :mod:`.text` — free text, and a number as text;
* :mod:`.names` — unit names as keys;
* :mod:`.numbers` — numbers, counts and percents;
* :mod:`.booleans` — yes/no;
* :mod:`.dates` — dates, datetimes and Excel serials;
* :mod:`.periods` — reporting periods, the period of a date, and years;
* :mod:`.identifiers` — IDs;
* :mod:`.choices` — one of a list of choices.

Each module's docstring lists its decisions on ambiguous input, each one pinned by a test.

This package imports nothing, so that ``lawgov-metrics --help`` does not pay for pandas, numpy and
pyarrow: import the module you need.
"""
