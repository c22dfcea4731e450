"""Importing users and agents from a CSV or XLSX table: every row checked, then applied in one
transaction, or nothing at all (the contact import's RowReport and Cells, docs/people.md).

Columns: kind (user or agent), name, email, role, teams (names separated by semicolons),
external_id (an agent's employee id) and, optionally, language (of a user's invitation e-mail).
Users get an invitation e-mail instead of a password; agents are made at once.
"""

import logging
from dataclasses import dataclass
from smtplib import SMTPException
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from qalibrate.accounts.models import Agent, Role, Team, User
from qalibrate.accounts.permissions import visible_teams
from qalibrate.audit.models import AuditAction
from qalibrate.audit.services import audit_record
from qalibrate.contacts.import_files import table_records_open
from qalibrate.contacts.importing import (
    CellProblem,
    Cells,
    ImportProblem,
    ImportRejected,
    RowError,
    RowReport,
    columns_require,
    is_blank,
)
from qalibrate.people import permissions, services

logger = logging.getLogger(__name__)

COLUMNS = ["kind", "name", "email", "role", "teams", "external_id", "language"]
REQUIRED_COLUMNS = ["kind", "name"]
ROLE_WORDS = {
    **{role.value: role.value for role in Role},
    "qa lead": Role.QA_LEAD.value,
    "administrator": Role.ADMIN.value,
}


@dataclass
class PeopleImportReport(RowReport):
    total_rows: int = 0
    users: int = 0  # invited
    agents: int = 0  # created
    not_sent: int = 0  # invitations whose e-mail could not be sent


def column_key(value: Any) -> str:
    text = "" if value is None else str(value).strip().lower()
    return text.replace(" ", "_").replace("-", "_")


def columns_check(columns: list[str]) -> None:
    columns_require(columns, REQUIRED_COLUMNS)


def people_check(*, file: BinaryIO, filename: str, user: User) -> PeopleImportReport:
    """What importing the file would do, writing nothing."""
    try:
        with _records(file, filename) as records:
            report, _rows = _Check(user).run(records)
    except ImportProblem as problem:
        return PeopleImportReport.for_file_problem(str(problem))
    return report


def people_apply(
    *, file: BinaryIO, filename: str, user: User, language: str, request=None
) -> PeopleImportReport:
    """Import every row in one transaction; raises ImportRejected, having written nothing, if
    the file or any row has a problem. The invitations' e-mails go out after the commit."""
    try:
        with _records(file, filename) as records:
            report, rows = _Check(user).run(records)
    except ImportProblem as problem:
        raise ImportRejected(PeopleImportReport.for_file_problem(str(problem))) from None
    if not report.ok:
        raise ImportRejected(report)
    sent = []
    with transaction.atomic():
        for row in rows:
            if row["kind"] == "agent":
                Agent.objects.create(
                    full_name=row["name"], employee_id=row["external_id"], team=row["teams"][0]
                )
                report.agents += 1
            else:
                sent.append(
                    services.invitation_create(
                        by=user,
                        email=row["email"],
                        role=row["role"],
                        teams=row["teams"],
                        language=row["language"] or language,
                        name=row["name"],
                    )
                )
                report.users += 1
        audit_record(
            action=AuditAction.IMPORTED,
            actor=user,
            details={
                "kind": "people",
                "file": filename,
                "users": report.users,
                "agents": report.agents,
                "rows": report.total_rows,
            },
            request=request,
        )
    for invitation, token in sent:
        try:
            services.invitation_send(invitation, token)
        except (SMTPException, OSError):
            logger.exception("Could not send the invitation to %s", invitation.email)
            report.not_sent += 1
    return report


def _records(file, filename):
    return table_records_open(
        file=file, filename=filename, column_key=column_key, columns_check=columns_check
    )


class _Check:
    def __init__(self, user: User):
        self.user = user
        self.all_teams = {team.name.casefold(): team for team in Team.objects.all()}
        self.my_team_ids = set(visible_teams(user).values_list("pk", flat=True))
        self.employee_ids = set(
            Agent.objects.exclude(employee_id=None).values_list("employee_id", flat=True)
        )
        self.first_row_of: dict[tuple[str, str], int] = {}

    def run(self, records) -> tuple[PeopleImportReport, list[dict]]:
        report = PeopleImportReport()
        rows = []
        for row, record, problem in records.rows:
            report.total_rows += 1
            if problem:
                report.error_add(RowError(row=row, column="", message=problem))
                continue
            cells = Cells(row=row, record=record)
            parsed = self._row(cells)
            for error in cells.errors:
                report.error_add(error)
            if not cells.errors:
                rows.append(parsed)
        if not report.total_rows:
            return PeopleImportReport.for_file_problem(_("The file contains no people.")), []
        return report, rows

    def _row(self, cells: Cells) -> dict:
        kind = cells.value("kind", _kind_parse, required=True)
        name = cells.value("name", _name_parse, required=True)
        teams = cells.value("teams", self._teams_parse) or []
        parsed = {"kind": kind, "name": name, "teams": teams, "email": None, "role": None}
        parsed["external_id"] = cells.value("external_id", self._employee_id_parse)
        parsed["language"] = cells.value("language", _language_parse)
        if kind == "agent":
            self._unique(cells, "external_id", parsed["external_id"])
            if len(teams) != 1 and not any(e.column == "teams" for e in cells.errors):
                cells.error_add("teams", _("An agent belongs to exactly one team."))
        elif kind == "user":
            parsed["email"] = cells.value("email", _email_parse, required=True)
            parsed["role"] = cells.value("role", self._role_parse, required=True)
            self._unique(cells, "email", parsed["email"] and parsed["email"].lower())
            if parsed["email"] and (problem := services.email_problem(parsed["email"])):
                cells.error_add("email", problem)
            if not self.user.is_admin and not teams and "teams" not in _columns(cells):
                cells.error_add("teams", _("Name at least one of your teams."))
        return parsed

    def _unique(self, cells: Cells, column: str, value: str | None) -> None:
        if not value:
            return
        first = self.first_row_of.setdefault((column, value), cells.row)
        if first != cells.row:
            cells.error_add(
                column,
                _("%(value)s already appears in row %(first)d.") % {"value": value, "first": first},
            )

    def _teams_parse(self, raw: Any) -> list[Team]:
        teams = []
        for name in filter(None, (part.strip() for part in str(raw).split(";"))):
            team = self.all_teams.get(name.casefold())
            if team is None:
                raise CellProblem(_("No team is called %(value)s.") % {"value": name})
            if team.pk not in self.my_team_ids:
                raise CellProblem(_("%(value)s is not a team you run.") % {"value": name})
            teams.append(team)
        return teams

    def _role_parse(self, raw: Any) -> str:
        text = str(raw).strip()
        role = ROLE_WORDS.get(text.casefold())
        if role is None:
            raise CellProblem(
                _("Unknown role %(value)s; use %(roles)s.")
                % {"value": text, "roles": ", ".join(Role.values)}
            )
        if role not in permissions.roles_user_may_give(self.user):
            raise CellProblem(
                _("You may not give the role %(value)s.") % {"value": Role(role).label}
            )
        return role

    def _employee_id_parse(self, raw: Any) -> str:
        text = _text(raw)
        if len(text) > 50:
            raise CellProblem(_("At most %(limit)d characters are allowed.") % {"limit": 50})
        if text in self.employee_ids:
            raise CellProblem(_("An agent with the id %(value)s exists already.") % {"value": text})
        return text


def _columns(cells: Cells) -> set[str]:
    return {column for column, value in cells.record.items() if not is_blank(value)}


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return "" if raw is None else str(raw).strip()


def _kind_parse(raw: Any) -> str:
    kind = _text(raw).casefold()
    if kind not in ("user", "agent"):
        raise CellProblem(_("Unknown kind %(value)s; use user or agent.") % {"value": _text(raw)})
    return kind


def _name_parse(raw: Any) -> str:
    text = _text(raw)
    if len(text) > 150:
        raise CellProblem(_("At most %(limit)d characters are allowed.") % {"limit": 150})
    return text


def _email_parse(raw: Any) -> str:
    text = _text(raw)
    try:
        validate_email(text)
    except ValidationError:
        raise CellProblem(_("%(value)s is not an e-mail address.") % {"value": text}) from None
    return text


def _language_parse(raw: Any) -> str:
    code = _text(raw).lower().split("-")[0]
    if code not in dict(settings.LANGUAGES):
        raise CellProblem(
            _("Unknown language %(value)s; use %(codes)s.")
            % {"value": _text(raw), "codes": ", ".join(dict(settings.LANGUAGES))}
        )
    return code
