"""The trends table as CSV and XLSX, written by the report's helpers
(qalibrate/reports/exports.py: typed columns, number formats, text kept from becoming a
formula). Numbers stay numbers: shares as fractions, shown as percentages in the XLSX."""

from collections.abc import Callable

from django.utils.translation import gettext as _

from qalibrate.history.selectors import TrendRow
from qalibrate.reports.exports import table_csv, table_xlsx
from qalibrate.reports.tables import (
    COEFFICIENT,
    COUNT,
    DATE,
    POINTS,
    SHARE,
    TEXT,
    YES_NO,
    Column,
    Table,
)


def trends_table(rows: list[TrendRow], *, report_url: Callable[[int], str]) -> Table:
    columns = [
        Column(_("Date"), DATE),
        Column(_("Session"), TEXT),
        Column(_("Team"), TEXT),
        Column(_("Scorecard"), TEXT),
        Column(_("Version"), COUNT),
        Column(_("Calibrated"), YES_NO),
        Column(_("Within tolerance"), SHARE),
        Column(_("Alpha of the totals"), COEFFICIENT),
        Column(_("Alpha: interval from"), COEFFICIENT),
        Column(_("Alpha: interval to"), COEFFICIENT),
        Column(_("Mean absolute deviation (points)"), POINTS),
        Column(_("Tolerance (points)"), POINTS),
        Column(_("Evaluators"), COUNT),
        Column(_("Contacts"), COUNT),
        Column(_("Imported"), YES_NO),
        Column(_("Report"), TEXT),
    ]
    return Table(columns, [_cells(row, report_url) for row in rows])


def _cells(row: TrendRow, report_url) -> list:
    alpha = row.alpha
    return [
        row.held_on,
        row.title,
        str(row.team) if row.team else "",
        row.scorecard.name,
        row.version,
        row.calibrated,
        row.share_within,
        None if alpha is None else alpha.value,
        None if alpha is None else alpha.low,
        None if alpha is None else alpha.high,
        row.mean_abs_deviation,
        row.tolerance,
        row.evaluators,
        row.contacts,
        row.imported,
        report_url(row.session_id),
    ]


def trends_csv(rows: list[TrendRow], *, report_url) -> str:
    return table_csv(trends_table(rows, report_url=report_url))


def trends_xlsx(rows: list[TrendRow], *, report_url) -> bytes:
    return table_xlsx(_("Trends"), trends_table(rows, report_url=report_url))
