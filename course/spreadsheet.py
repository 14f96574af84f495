"""Text that goes into a CSV file people open in a spreadsheet (grades.csv, mistakes.csv, LMS exports)."""

# UTF-8 with a byte order mark first. Excel (Windows and Mac) reads a CSV file as UTF-8 only when it starts with
# the mark; without it, Excel decodes the bytes in the system's legacy code page, and a Hangul student id or message
# (any text beyond ASCII) shows up garbled. LibreOffice, Google Sheets, pandas and Python's "utf-8-sig" read the mark
# as what it is. Read these files back with encoding="utf-8-sig".
SPREADSHEET_ENCODING = "utf-8-sig"


def csv_cell(value):
    """A CSV cell that a spreadsheet shows as text: a leading ``= + - @`` (or tab, carriage return) would make
    Excel, LibreOffice or Google Sheets evaluate it as a formula, so such text gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def open_csv(path):
    """``path`` opened for :func:`csv.writer` as a CSV file spreadsheets read as UTF-8 (the mark first), the same
    bytes whatever this machine's locale is."""
    return open(path, "w", newline="", encoding=SPREADSHEET_ENCODING)
