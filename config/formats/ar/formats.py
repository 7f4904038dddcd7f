"""Arabic: what differs from Django's own Arabic formats (the rest comes from Django's).

Django's Arabic formats have no date-and-time or input formats, so the American defaults
applied; and its short date puts right-to-left marks between the numbers. Here a date
reads 02/12/2026 in the text exactly as it is typed in a date field, with 24-hour times.
"""

TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F، Y H:i"  # 4 ديسمبر، 2026 14:30
SHORT_DATE_FORMAT = "d/m/Y"  # 04/12/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 04/12/2026 14:30

# The first format is the one date fields show; Django also accepts ISO (2026-12-04).
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 04/12/2026
    "%d/%m/%y",  # 04/12/26
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",  # 04/12/2026 14:30
    "%d/%m/%Y %H:%M:%S",  # 04/12/2026 14:30:59
]
