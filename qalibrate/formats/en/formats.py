# Contact centres work round the clock and across countries: 24-hour times, unambiguous dates.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1
