"""English written the British way (day first), with 24-hour times as in French and Dutch;
what is not set here (number separators) comes from Django's English formats."""

DATE_FORMAT = "j F Y"  # 4 December 2026
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F Y, H:i"  # 4 December 2026, 14:30
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j F"  # 4 December
SHORT_DATE_FORMAT = "d/m/Y"  # 04/12/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 04/12/2026 14:30
FIRST_DAY_OF_WEEK = 1  # Monday

# The first format is the one date fields show; Django also accepts ISO (2026-12-04).
DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 04/12/2026
    "%d/%m/%y",  # 04/12/26
    "%d %B %Y",  # 4 December 2026
    "%d %b %Y",  # 4 Dec 2026
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",  # 04/12/2026 14:30
    "%d/%m/%Y %H:%M:%S",  # 04/12/2026 14:30:59
    "%d/%m/%y %H:%M",  # 04/12/26 14:30
]
