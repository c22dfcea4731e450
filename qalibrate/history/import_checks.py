"""The check of a history import (qalibrate.history.importing): every row's values found and
checked, the rows grouped into the sessions they make, then what only the whole file shows (each
contact and criterion answered by two evaluators at least, one agreed answer, sessions imported
before). Reads only: nothing is written here; importing.history_apply writes what this found.

A row says: on ``session_date`` the ``team`` calibrated on version ``version`` of the scorecard
``scorecard``; for the contact ``external_id``, ``evaluator`` answered ``criterion`` with
``answer``, and the team agreed on ``agreed_answer`` (``reason`` says why). The rows of one date,
team, scorecard version and ``title`` make one session.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qalibrate.accounts.models import Agent, Team, User
from qalibrate.accounts.permissions import is_staff_member, visible_teams
from qalibrate.contacts.importing import (
    ImportProblem,
    Records,
    RowError,
    RowReport,
    columns_require,
)
from qalibrate.contacts.models import Channel, Contact
from qalibrate.history.import_values import (
    Answer,
    CellProblem,
    Cells,
    answer_parse,
    answer_shown,
    channel_parse,
    date_parse,
    limited_text,
    shown,
    text,
    tolerance_parse,
    version_number_parse,
)
from qalibrate.history.models import SessionRecord
from qalibrate.scorecards.models import Criterion, Scorecard, ScorecardVersion

MAX_ROWS = 200_000
MAX_SESSIONS_SHOWN = 200
LOOKUP_CHUNK = 500
MEETING_HOUR = 12  # an imported session met at noon of its day, in the importing user's zone
MIN_EVALUATORS = 2

REQUIRED_COLUMNS = [
    "session_date",
    "team",
    "scorecard",
    "version",
    "external_id",
    "criterion",
    "evaluator",
    "answer",
    "agreed_answer",
]
OPTIONAL_COLUMNS = ["reason", "title", "tolerance", "notes", "channel", "agent_id", "agent_name"]
KNOWN_COLUMNS = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]
# A new contact without an agent_id is filed under its team's placeholder agent, found again by
# this employee id (followed by the team's id) on the next import.
PLACEHOLDER_AGENT_ID = "history-import-"


@dataclass
class HistoryReport(RowReport):
    """What a history import found or did: counts, the sessions it makes, the first problems."""

    total_rows: int = 0
    answers: int = 0
    session_count: int = 0
    new_contacts: int = 0
    new_agents: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)  # the first MAX_SESSIONS_SHOWN
    created: list[int] = field(default_factory=list)  # the sessions written, once applied


def column_key(value: Any) -> str:
    """Known columns in lower case with underscores ("Agreed answer" is agreed_answer); any
    other column keeps its name, and is left out."""
    name = text(value)
    key = "_".join(name.lower().split())
    return key if key in KNOWN_COLUMNS else name


def columns_check(columns: list[str]) -> None:
    columns_require(columns, REQUIRED_COLUMNS)


def meeting_time(held_on: date, zone: ZoneInfo) -> datetime:
    """When an imported session met: noon of its day in the zone."""
    return datetime.combine(held_on, time(MEETING_HOUR), tzinfo=zone)


# --- what the rows say --------------------------------------------------------------------------


@dataclass
class RowValues:
    """One row's values, each found and checked."""

    row: int
    held_on: date
    team: Team
    version: ScorecardVersion
    title: str
    tolerance: Decimal | None
    external_id: str
    criterion: Criterion
    evaluator: User
    answer: Answer
    agreed: Answer
    reason: str
    notes: str
    channel: str
    agent_id: str
    agent_name: str


@dataclass
class AgreedPlan:
    """The agreed answer to one criterion for one contact, and who answered it."""

    row: int
    criterion: Criterion
    answer: Answer
    reason: str = ""
    reason_row: int = 0
    evaluators: set[int] = field(default_factory=set)


@dataclass
class SessionPlan:
    row: int
    held_on: date
    team: Team
    version: ScorecardVersion
    title: str
    tolerance: Decimal | None = None
    tolerance_row: int = 0
    notes: dict[str, tuple[str, int]] = field(default_factory=dict)  # ordered: the contacts
    evaluators: dict[int, User] = field(default_factory=dict)
    # (external id, criterion id, evaluator id) → (value, N/A, row)
    answers: dict[tuple[str, int, int], tuple[str, bool, int]] = field(default_factory=dict)
    agreed: dict[tuple[str, int], AgreedPlan] = field(default_factory=dict)


@dataclass
class ContactFacts:
    """What the file says of a contact, used when it is not known yet."""

    row: int
    held_on: date
    team: Team
    channel: str
    agent_id: str
    agent_name: str
    language: str
    agent: Agent | None = None


@dataclass
class VersionCriteria:
    sections: list
    by_key: dict[str, Criterion]
    by_text: dict[str, list[Criterion]]
    by_pk: dict[int, Criterion]


# --- one pass over the rows -------------------------------------------------------------------


class ImportCheck:
    """One pass over the records: every row checked, then the sessions grouped and checked."""

    def __init__(self, *, user: User):
        self.user = user
        try:
            self.zone = ZoneInfo(user.time_zone or settings.TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = ZoneInfo(settings.TIME_ZONE)

    def run(self, records: Records) -> HistoryReport:
        self.report = HistoryReport()
        try:
            self._start(records.columns)
            for row, record, problem in records.rows:
                self._row_add(row, record, problem)
        except ImportProblem as problem:
            return HistoryReport.for_file_problem(str(problem))
        if not self.report.total_rows:
            return HistoryReport.for_file_problem(_("The file contains no answers."))
        self._finish()
        return self.report

    def _start(self, columns: list[str]) -> None:
        # Looked up once for the whole file, never per row.
        self.report.ignored_columns = [name for name in columns if name not in KNOWN_COLUMNS]
        self.teams = {team.name.casefold(): team for team in visible_teams(self.user)}
        self.scorecards: dict[str, list[Scorecard]] = {}
        for scorecard in Scorecard.objects.visible_to(self.user):
            self.scorecards.setdefault(scorecard.name.strip().casefold(), []).append(scorecard)
        self.versions = {
            (version.scorecard_id, version.number): version
            for version in ScorecardVersion.objects.select_related("scorecard")
        }
        self.criteria: dict[int, VersionCriteria] = {}
        users = list(User.objects.all())
        self.users_by_name = {user.username: user for user in users}
        self.users_by_email: dict[str, User | None] = {}
        for user in users:
            if user.email:
                email = user.email.casefold()
                # Two accounts with one address: the address names neither.
                self.users_by_email[email] = None if email in self.users_by_email else user
        self.agents = {a.employee_id: a for a in Agent.objects.exclude(employee_id=None)}
        self.sessions: dict[tuple, SessionPlan] = {}
        self.contacts: dict[str, ContactFacts] = {}
        self.failed: set[tuple[str, int]] = set()  # (external id, criterion id) of bad rows
        self.today = timezone.localdate()

    def _row_add(self, row: int, record: dict[str, Any], problem: str) -> None:
        self.report.total_rows += 1
        if self.report.total_rows > MAX_ROWS:
            raise ImportProblem(
                ngettext(
                    "The file has more than %(limit)s row; split it into smaller files.",
                    "The file has more than %(limit)s rows; split it into smaller files.",
                    MAX_ROWS,
                )
                % {"limit": formats.number_format(MAX_ROWS, force_grouping=True)}
            )
        if problem:
            self.report.error_add(RowError(row=row, column="", message=problem))
            return
        cells = Cells(row=row, record=record)
        parsed = self._row_parse(cells)
        if parsed is not None:
            self._row_register(parsed, cells)
        if cells.errors and cells.answered:
            # Its contact and criterion may now seem to have one evaluator: not said again.
            self.failed.add(cells.answered)
        for error in cells.errors:
            self.report.error_add(error)
        if not cells.errors:
            self.report.answers += 1

    def _row_parse(self, cells: Cells) -> RowValues | None:
        held_on = cells.value("session_date", self._date_parse, required=True)
        team = cells.value("team", self._team_parse, required=True)
        version = self._version_find(cells)
        external_id = cells.value("external_id", partial(limited_text, 100), required=True)
        evaluator = cells.value("evaluator", self._evaluator_parse, required=True)
        criterion = answer = agreed = None
        if version is not None:
            criterion = cells.value(
                "criterion", partial(self._criterion_parse, version), required=True
            )
        if criterion is not None:
            cells.answered = (external_id, criterion.pk)
            answer = cells.value("answer", partial(answer_parse, criterion), required=True)
            agreed = cells.value("agreed_answer", partial(answer_parse, criterion), required=True)
        values = {
            "title": cells.value("title", partial(limited_text, 200)) or "",
            "tolerance": cells.value("tolerance", tolerance_parse),
            "reason": cells.value("reason", partial(limited_text, 5000)) or "",
            "notes": cells.value("notes", partial(limited_text, 5000)) or "",
            "channel": cells.value("channel", channel_parse) or "",
            "agent_id": cells.value("agent_id", partial(limited_text, 50)) or "",
            "agent_name": cells.value("agent_name", partial(limited_text, 150)) or "",
        }
        if cells.errors or None in (held_on, team, version, external_id, criterion, evaluator):
            return None
        if answer is None or agreed is None:
            return None
        return RowValues(
            row=cells.row,
            held_on=held_on,
            team=team,
            version=version,
            external_id=external_id,
            criterion=criterion,
            evaluator=evaluator,
            answer=answer,
            agreed=agreed,
            **values,
        )

    # --- the row's part of its session ---

    def _row_register(self, parsed: RowValues, cells: Cells) -> None:
        session = self._session_for(parsed, cells)
        answer_key = (parsed.external_id, parsed.criterion.pk, parsed.evaluator.pk)
        if answer_key in session.answers:
            cells.error_add(
                "evaluator",
                _(
                    "%(evaluator)s already answered this criterion for this contact in this "
                    "session, in row %(row)d."
                )
                % {"evaluator": parsed.evaluator.username, "row": session.answers[answer_key][2]},
            )
        self._agreed_check(session, parsed, cells)
        self._notes_check(session, parsed, cells)
        self._contact_check(parsed, cells)
        if cells.errors:
            return
        session.answers[answer_key] = (*parsed.answer, parsed.row)
        session.evaluators[parsed.evaluator.pk] = parsed.evaluator
        session.agreed[(parsed.external_id, parsed.criterion.pk)].evaluators.add(
            parsed.evaluator.pk
        )

    def _session_for(self, parsed: RowValues, cells: Cells) -> SessionPlan:
        title = parsed.title or f"{parsed.version.scorecard.name} {parsed.held_on.isoformat()}"
        key = (parsed.held_on, parsed.team.pk, parsed.version.pk, title)
        session = self.sessions.get(key)
        if session is None:
            session = self.sessions[key] = SessionPlan(
                row=parsed.row,
                held_on=parsed.held_on,
                team=parsed.team,
                version=parsed.version,
                title=title,
            )
        if parsed.tolerance is not None:
            if session.tolerance is None:
                session.tolerance, session.tolerance_row = parsed.tolerance, parsed.row
            elif session.tolerance != parsed.tolerance:
                cells.error_add(
                    "tolerance",
                    _("The session's tolerance is %(first)s in row %(row)d.")
                    % {"first": session.tolerance, "row": session.tolerance_row},
                )
        return session

    def _agreed_check(self, session: SessionPlan, parsed: RowValues, cells: Cells) -> None:
        key = (parsed.external_id, parsed.criterion.pk)
        agreed = session.agreed.get(key)
        if agreed is None:
            session.agreed[key] = AgreedPlan(
                row=parsed.row,
                criterion=parsed.criterion,
                answer=parsed.agreed,
                reason=parsed.reason,
                reason_row=parsed.row if parsed.reason else 0,
            )
            return
        if agreed.answer != parsed.agreed:
            cells.error_add(
                "agreed_answer",
                _(
                    "The agreed answer differs from the one in row %(row)d (%(first)s) for the "
                    "same contact and criterion; a contact has one agreed answer per criterion."
                )
                % {"row": agreed.row, "first": answer_shown(agreed.answer)},
            )
        if parsed.reason and agreed.reason and parsed.reason != agreed.reason:
            cells.error_add(
                "reason",
                _(
                    "The reason differs from the one in row %(row)d for the same contact and "
                    "criterion."
                )
                % {"row": agreed.reason_row},
            )
        elif parsed.reason and not agreed.reason:
            agreed.reason, agreed.reason_row = parsed.reason, parsed.row

    def _notes_check(self, session: SessionPlan, parsed: RowValues, cells: Cells) -> None:
        notes, row = session.notes.get(parsed.external_id, ("", 0))
        if parsed.notes and notes and parsed.notes != notes:
            cells.error_add(
                "notes",
                _("The contact's notes differ from those in row %(row)d of the same session.")
                % {"row": row},
            )
        elif parsed.notes and not notes:
            notes, row = parsed.notes, parsed.row
        session.notes[parsed.external_id] = (notes, row)

    def _contact_check(self, parsed: RowValues, cells: Cells) -> None:
        facts = self.contacts.get(parsed.external_id)
        if facts is None:
            self.contacts[parsed.external_id] = ContactFacts(
                row=parsed.row,
                held_on=parsed.held_on,
                team=parsed.team,
                channel=parsed.channel or Channel.CALL,
                agent_id=parsed.agent_id,
                agent_name=parsed.agent_name,
                language=parsed.version.scorecard.language,
            )
            return
        facts.held_on = min(facts.held_on, parsed.held_on)
        for column, given, first in (
            ("channel", parsed.channel, facts.channel),
            ("agent_id", parsed.agent_id, facts.agent_id),
        ):
            if given and first and given != first:
                cells.error_add(
                    column,
                    _("Row %(row)d says %(first)s for the same contact.")
                    % {"row": facts.row, "first": shown(first)},
                )
        if parsed.agent_id and not facts.agent_id:
            facts.agent_id, facts.agent_name = parsed.agent_id, parsed.agent_name

    # --- after the last row ---

    def _finish(self) -> None:
        for session in self.sessions.values():
            for key, agreed in session.agreed.items():
                if len(agreed.evaluators) < MIN_EVALUATORS and key not in self.failed:
                    self._error(
                        agreed.row,
                        "evaluator",
                        _(
                            "Only one evaluator answered “%(criterion)s” for the contact "
                            "%(contact)s in this session; a calibration compares at least two."
                        )
                        % {"criterion": agreed.criterion.text, "contact": shown(key[0])},
                    )
        self._imported_already_check()
        self._contacts_find()
        report = self.report
        report.errors.sort(key=_error_order)
        report.session_count = len(self.sessions)
        report.sessions = [_summary(s) for s in self.in_date_order()[:MAX_SESSIONS_SHOWN]]

    def _error(self, row: int, column: str, message: str) -> None:
        self.report.error_add(RowError(row=row, column=column, message=message))

    def in_date_order(self) -> list[SessionPlan]:
        return sorted(self.sessions.values(), key=lambda s: (s.held_on, s.row))

    def _imported_already_check(self) -> None:
        """The same team, scorecard version, day and title imported before: reported, so that
        importing a file again never makes its sessions twice."""
        if not self.sessions:
            return
        days = {self._held_on(s.held_on) for s in self.sessions.values()}
        imported = set(
            SessionRecord.objects.filter(imported=True, held_on__in=days).values_list(
                "team_id", "version_id", "held_on", "session__title"
            )
        )
        for session in self.sessions.values():
            key = (session.team.pk, session.version.pk, self._held_on(session.held_on))
            if (*key, session.title) in imported:
                self._error(
                    session.row,
                    "session_date",
                    _(
                        "The session “%(title)s” of %(team)s on %(date)s with %(version)s was "
                        "imported before; it is not imported twice."
                    )
                    % {
                        "title": session.title,
                        "team": session.team.name,
                        "date": formats.date_format(session.held_on),
                        "version": session.version,
                    },
                )

    def _held_on(self, day: date) -> date:
        """The day the history files the session under (as session_record_save finds it)."""
        return timezone.localdate(meeting_time(day, self.zone))

    def _contacts_find(self) -> None:
        """Known contacts by external id; for the others, their agent (known, new or the team's
        placeholder)."""
        external_ids = list(self.contacts)
        self.known_contacts: dict[str, int] = {}
        for start in range(0, len(external_ids), LOOKUP_CHUNK):
            chunk = external_ids[start : start + LOOKUP_CHUNK]
            self.known_contacts.update(
                Contact.objects.filter(external_id__in=chunk).values_list("external_id", "pk")
            )
        for external_id, facts in self.contacts.items():
            if external_id in self.known_contacts:
                continue
            self.report.new_contacts += 1
            facts.agent = self._agent_for(facts)

    def _agent_for(self, facts: ContactFacts) -> Agent | None:
        if not facts.agent_id:
            return self._placeholder_agent(facts.team)
        agent = self.agents.get(facts.agent_id)
        if agent is not None:
            return agent
        if not facts.agent_name:
            self._error(
                facts.row,
                "agent_id",
                _("No agent has the employee id %(value)s; to create one, fill in %(column)s.")
                % {"value": shown(facts.agent_id), "column": "agent_name"},
            )
            return None
        agent = Agent(full_name=facts.agent_name, employee_id=facts.agent_id, team=facts.team)
        self.agents[facts.agent_id] = agent
        self.report.new_agents.append(f"{facts.agent_name} ({facts.agent_id})")
        return agent

    def _placeholder_agent(self, team: Team) -> Agent:
        employee_id = f"{PLACEHOLDER_AGENT_ID}{team.pk}"
        agent = self.agents.get(employee_id)
        if agent is None:
            name = _("Unknown agent (imported history)")
            agent = Agent(full_name=name, employee_id=employee_id, team=team, is_active=False)
            self.agents[employee_id] = agent
            self.report.new_agents.append(f"{name} ({team.name})")
        return agent

    # --- values that need the database's rows ---

    def _date_parse(self, raw: Any) -> date:
        day = date_parse(raw)
        if day > self.today:
            raise CellProblem(
                _("%(value)s is in the future; only past sessions can be imported.")
                % {"value": formats.date_format(day)}
            )
        return day

    def _team_parse(self, raw: Any) -> Team:
        name = text(raw)
        team = self.teams.get(name.casefold())
        if team is None:
            raise CellProblem(_("No team is called %(value)s.") % {"value": shown(name)})
        return team

    def _version_find(self, cells: Cells) -> ScorecardVersion | None:
        scorecards = cells.value("scorecard", self._scorecards_parse, required=True)
        number = cells.value("version", version_number_parse, required=True)
        if not scorecards or number is None:
            return None
        found = [
            self.versions[(s.pk, number)] for s in scorecards if (s.pk, number) in self.versions
        ]
        name = scorecards[0].name
        if not found:
            cells.error_add(
                "version",
                _("The scorecard %(scorecard)s has no version %(number)d.")
                % {"scorecard": shown(name), "number": number},
            )
            return None
        if len(found) > 1:
            cells.error_add(
                "scorecard",
                _("Several scorecards are called %(value)s; rename all but one and try again.")
                % {"value": shown(name)},
            )
            return None
        if found[0].is_draft:
            cells.error_add(
                "version",
                _(
                    "Version %(number)d of %(scorecard)s is a draft; sessions can use only "
                    "published versions and older ones."
                )
                % {"scorecard": shown(name), "number": number},
            )
            return None
        return found[0]

    def _scorecards_parse(self, raw: Any) -> list[Scorecard]:
        name = text(raw)
        found = self.scorecards.get(name.casefold())
        if not found:
            raise CellProblem(_("No scorecard is called %(value)s.") % {"value": shown(name)})
        return found

    def _criterion_parse(self, version: ScorecardVersion, raw: Any) -> Criterion:
        written = text(raw)
        known = self.criteria_of(version)
        criterion = known.by_key.get(written)
        if criterion is None:
            matches = known.by_text.get(written, [])
            if len(matches) > 1:
                raise CellProblem(
                    _("Several criteria of %(version)s read %(value)s; give its key instead.")
                    % {"version": version, "value": shown(written)}
                )
            if not matches:
                raise CellProblem(
                    _("%(version)s has no criterion with the key or the text %(value)s.")
                    % {"version": version, "value": shown(written)}
                )
            criterion = matches[0]
        if criterion.kind == "text":
            raise CellProblem(
                _("“%(criterion)s” takes free text and is not scored; leave its rows out.")
                % {"criterion": criterion.text}
            )
        return criterion

    def criteria_of(self, version: ScorecardVersion) -> VersionCriteria:
        known = self.criteria.get(version.pk)
        if known is None:
            sections = list(version.sections.prefetch_related("criteria"))
            criteria = [c for section in sections for c in section.criteria.all()]
            by_text: dict[str, list[Criterion]] = {}
            for criterion in criteria:
                by_text.setdefault(criterion.text.strip(), []).append(criterion)
            known = self.criteria[version.pk] = VersionCriteria(
                sections=sections,
                by_key={c.key: c for c in criteria},
                by_text=by_text,
                by_pk={c.pk: c for c in criteria},
            )
        return known

    def _evaluator_parse(self, raw: Any) -> User:
        written = text(raw)
        user = self.users_by_name.get(written)
        if user is None and written.casefold() in self.users_by_email:
            user = self.users_by_email[written.casefold()]
            if user is None:
                raise CellProblem(
                    _("Several users have the e-mail %(value)s; give the username instead.")
                    % {"value": shown(written)}
                )
        if user is None:
            raise CellProblem(
                _("No user has the username or e-mail %(value)s.") % {"value": shown(written)}
            )
        if not user.is_active:
            raise CellProblem(
                _("The account %(value)s is deactivated.") % {"value": shown(written)}
            )
        if not is_staff_member(user):
            raise CellProblem(
                _(
                    "%(value)s is an agent's account; administrators, QA leads and evaluators "
                    "score in calibration sessions."
                )
                % {"value": shown(written)}
            )
        return user


def _error_order(error: RowError) -> tuple[int, int]:
    """Problems by row, and in a row by column as the template orders them."""
    column = KNOWN_COLUMNS.index(error.column) if error.column in KNOWN_COLUMNS else -1
    return error.row, column


def _summary(session: SessionPlan) -> dict:
    return {
        "date": session.held_on.isoformat(),
        "team": session.team.name,
        "scorecard": str(session.version),
        "title": session.title,
        "contacts": len(session.notes),
        "evaluators": len(session.evaluators),
        "answers": len(session.answers),
    }
