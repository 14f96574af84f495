"""Text that goes into a CSV file people open in a spreadsheet (grades.csv, mistakes.csv, LMS exports)."""


def csv_cell(value):
    """A CSV cell that a spreadsheet shows as text: a leading ``= + - @`` (or tab, carriage return) would make
    Excel, LibreOffice or Google Sheets evaluate it as a formula, so such text gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
