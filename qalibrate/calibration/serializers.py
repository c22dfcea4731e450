"""What the calibration endpoints send and take: sessions, follow-up actions and series.
One session is read as its page reads it (qalibrate.calibration.detail_selectors); writes go
through the page's forms and the services, which keep the rules."""

from rest_framework import serializers

from qalibrate.accounts.models import User
from qalibrate.accounts.serializers import TeamSerializer, UserRefSerializer
from qalibrate.api.helpers import IdField
from qalibrate.calibration.detail_selectors import SessionDetail, session_detail_for
from qalibrate.calibration.models import (
    MAX_CONTACTS,
    MIN_CONTACTS,
    ActionStatus,
    CalibrationSession,
    FlagKind,
    FollowUpAction,
    ReferenceMode,
    Series,
    SessionStatus,
)
from qalibrate.contacts.models import Channel
from qalibrate.contacts.serializers import ContactRefSerializer
from qalibrate.scorecards.serializers import VersionRefSerializer

# --- follow-up actions -----------------------------------------------------------------------


class SessionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalibrationSession
        fields = ["id", "title"]


class ActionSerializer(serializers.ModelSerializer):
    session = SessionRefSerializer(read_only=True)
    owner = UserRefSerializer(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    can_update = serializers.BooleanField(
        read_only=True, help_text="Whether you may change its status."
    )

    class Meta:
        model = FollowUpAction
        fields = [
            "id",
            "session",
            "description",
            "owner",
            "due_date",
            "status",
            "created_at",
            "done_at",
            "is_overdue",
            "can_update",
        ]
        read_only_fields = [
            "id",
            "session",
            "description",
            "owner",
            "due_date",
            "created_at",
            "done_at",
        ]


class ActionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)


# --- sessions --------------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    version = VersionRefSerializer()
    team = TeamSerializer(allow_null=True)
    facilitator = UserRefSerializer()

    class Meta:
        model = CalibrationSession
        fields = [
            "id",
            "title",
            "status",
            "version",
            "team",
            "facilitator",
            "scoring_deadline",
            "meeting_at",
            "created_at",
            "completed_at",
        ]


class SessionContactSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    contact = ContactRefSerializer()
    occurred_at = serializers.DateTimeField(source="contact.occurred_at")
    subject = serializers.CharField(source="contact.subject")


PROGRESS_STATUSES = [("", "not started"), ("draft", "started"), ("submitted", "submitted")]


class ProgressCellSerializer(serializers.Serializer):
    contact = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PROGRESS_STATUSES)


class ProgressRowSerializer(serializers.Serializer):
    evaluator = UserRefSerializer()
    cells = ProgressCellSerializer(many=True)
    done = serializers.IntegerField()


class SessionEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    from_status = serializers.ChoiceField(choices=SessionStatus.choices)
    to_status = serializers.ChoiceField(choices=SessionStatus.choices)
    actor = UserRefSerializer()


class AgentResultItemSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    text = serializers.CharField()
    section = serializers.CharField()
    answer = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    process_problem = serializers.BooleanField(
        help_text="Flagged as a process problem, not the agent's fault."
    )


class AgentResultSerializer(serializers.Serializer):
    contact = ContactRefSerializer()
    agreed_score = serializers.FloatField(allow_null=True)
    feedback = serializers.CharField(allow_blank=True)
    answers = AgentResultItemSerializer(many=True)


class SessionDetailSerializer(SessionSerializer):
    expert = UserRefSerializer(allow_null=True)
    tolerance = serializers.FloatField()
    contacts = SessionContactSerializer(many=True)
    evaluators = UserRefSerializer(many=True)
    observers = UserRefSerializer(many=True)
    progress = ProgressRowSerializer(
        many=True, help_text="Who has finished what; never an answer or a score."
    )
    events = SessionEventSerializer(many=True)
    actions = ActionSerializer(many=True)
    summary = serializers.CharField(
        allow_null=True, help_text="Once completed; never shown to agents."
    )
    agreed_becomes_official = serializers.BooleanField(allow_null=True)
    share_with_agents = serializers.BooleanField(allow_null=True)
    can_run = serializers.BooleanField()
    can_see_answers = serializers.BooleanField()
    results = AgentResultSerializer(
        many=True,
        help_text="For an agent, once the results are shared: the agreed evaluation of each of "
        "their own contacts.",
    )

    class Meta(SessionSerializer.Meta):
        fields = [
            *SessionSerializer.Meta.fields,
            "expert",
            "reference_mode",
            "tolerance",
            "duration_minutes",
            "location",
            "agenda",
            "ground_rules",
            "contacts",
            "evaluators",
            "observers",
            "progress",
            "events",
            "actions",
            "summary",
            "agreed_becomes_official",
            "share_with_agents",
            "can_run",
            "can_see_answers",
            "results",
        ]


# --- one session, as its page shows it -------------------------------------------------------

SESSION_FIELDS = [
    "id",
    "title",
    "status",
    "scoring_deadline",
    "meeting_at",
    "created_at",
    "completed_at",
    "reference_mode",
    "duration_minutes",
    "location",
    "agenda",
    "ground_rules",
]


def _agent_results_data(results: dict) -> list[dict]:
    """selectors.agent_results as AgentResultSerializer takes it: one flat list of answers."""
    return [
        {
            "contact": result["session_contact"].contact,
            "agreed_score": result["session_contact"].agreed_score,
            "feedback": result["session_contact"].notes,
            "answers": [
                {
                    "criterion": item["criterion"].pk,
                    "text": item["criterion"].text,
                    "section": part["section"].title,
                    "answer": item["answer"],
                    "reason": item["reason"],
                    "process_problem": item["process"] is not None,
                }
                for part in result["sections"]
                for item in part["items"]
            ],
        }
        for result in results["results"]
    ]


def _board_data(detail: SessionDetail) -> dict:
    """The progress board, people, history and actions, as SessionDetailSerializer takes them."""
    board = detail.board
    positions = dict(detail.session.session_contacts.values_list("contact_id", "position"))
    return {
        "contacts": [
            {"position": positions.get(contact.pk, 0), "contact": contact}
            for contact in board["contacts"]
        ],
        "evaluators": [row["evaluator"] for row in board["rows"]],
        "observers": [participant.user for participant in detail.observers],
        "progress": [
            {
                "evaluator": row["evaluator"],
                "cells": [
                    {"contact": contact.pk, "status": cell}
                    for contact, cell in zip(board["contacts"], row["cells"], strict=True)
                ],
                "done": row["done"],
            }
            for row in board["rows"]
        ],
        "events": detail.events,
        "actions": detail.actions,
    }


def session_detail_data(session: CalibrationSession, user: User) -> dict:
    """What the session page shows this user, as SessionDetailSerializer takes it. An agent
    whose results were shared sees only the agreed evaluations of their own contacts."""
    detail = session_detail_for(session, user=user)
    data = {name: getattr(session, name) for name in SESSION_FIELDS}
    data.update(
        version=session.version,
        team=session.team,
        facilitator=session.facilitator,
        expert=session.expert,
        tolerance=float(session.tolerance),
        can_run=detail.can_run,
        can_see_answers=detail.can_see_answers,
        summary=None,
        agreed_becomes_official=None,
        share_with_agents=None,
        results=[],
    )
    if detail.agent_results is not None:
        results = _agent_results_data(detail.agent_results)
        data.update(
            expert=None,
            contacts=[{"position": 0, "contact": result["contact"]} for result in results],
            evaluators=[],
            observers=[],
            progress=[],
            events=[],
            actions=[],
            results=results,
        )
        return data
    data.update(_board_data(detail))
    if session.status == SessionStatus.COMPLETED and not user.is_agent:
        data.update(
            summary=session.summary,
            agreed_becomes_official=session.agreed_becomes_official,
            share_with_agents=session.share_with_agents,
        )
    return data


# --- what the session endpoints take --------------------------------------------------------


class SessionPlanSerializer(serializers.Serializer):
    """The fields of the Plan a session page. Contacts are either listed or sampled."""

    title = serializers.CharField(max_length=200)
    version = IdField(help_text="A published scorecard version.")
    team = IdField(required=False, allow_null=True)
    facilitator = IdField(required=False, help_text="An administrator or QA lead; you by default.")
    expert = IdField(required=False, allow_null=True)
    reference_mode = serializers.ChoiceField(
        choices=ReferenceMode.choices, default=ReferenceMode.CONSENSUS
    )
    tolerance = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, default=5, coerce_to_string=False
    )
    scoring_deadline = serializers.DateTimeField()
    meeting_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=0, max_value=100000, default=60)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    agenda = serializers.CharField(required=False, help_text="The seeds' advice by default.")
    ground_rules = serializers.CharField(required=False, help_text="The seeds' advice by default.")
    evaluators = serializers.ListField(
        child=IdField(), min_length=2, help_text="At least two users who score."
    )
    observers = serializers.ListField(
        child=IdField(), required=False, help_text="Agents who observe."
    )
    contacts = serializers.ListField(
        child=IdField(),
        required=False,
        min_length=MIN_CONTACTS,
        max_length=MAX_CONTACTS,
        help_text=f"{MIN_CONTACTS} to {MAX_CONTACTS} contact ids; or leave out and sample.",
    )
    sample_team = IdField(required=False, allow_null=True)
    sample_channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    sample_from = serializers.DateField(required=False, allow_null=True)
    sample_to = serializers.DateField(required=False, allow_null=True)
    sample_size = serializers.IntegerField(
        required=False,
        min_value=MIN_CONTACTS,
        max_value=MAX_CONTACTS,
        help_text=f"Without contacts: sample {MIN_CONTACTS} to {MAX_CONTACTS} at random, spread "
        "over the agents.",
    )


class SessionParticipantsSerializer(serializers.Serializer):
    evaluators = serializers.ListField(
        child=IdField(), required=False, max_length=200, help_text="Users who score."
    )
    observers = serializers.ListField(
        child=IdField(), required=False, max_length=200, help_text="Agents who observe."
    )


class SessionRescheduleSerializer(serializers.Serializer):
    meeting_at = serializers.DateTimeField()
    scoring_deadline = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(
        min_value=0, max_value=100000, required=False, help_text="As it was by default."
    )
    location = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="As it was by default."
    )


class SessionContactsSerializer(serializers.Serializer):
    contacts = serializers.ListField(
        child=IdField(),
        min_length=1,
        max_length=MAX_CONTACTS,
        help_text=f"Contact ids to add; the session holds at most {MAX_CONTACTS}.",
    )


class SessionCompleteSerializer(serializers.Serializer):
    summary = serializers.CharField()
    agreed_becomes_official = serializers.BooleanField(default=False)
    share_with_agents = serializers.BooleanField(default=False)


class SessionCompletedSerializer(serializers.Serializer):
    session = SessionDetailSerializer()
    official_evaluations = serializers.ListField(child=serializers.IntegerField())
    kept_contacts = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Contacts whose evaluation already shared with the agent was kept.",
    )


# --- the meeting's results, recorded by the facilitator (or an integration with their token) --


class AgreedAnswerInputSerializer(serializers.Serializer):
    contact = IdField(help_text="One of the session's contacts.")
    criterion = IdField(help_text="A scored criterion of the session's version.")
    value = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        max_length=10_000,
        help_text="The agreed answer as the form stores it (blank with is_na).",
    )
    is_na = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        max_length=10_000,
        help_text="Why the group agreed on it: it goes to the book of rulings.",
    )


class AgreedAnswerSerializer(serializers.Serializer):
    contact = serializers.IntegerField(source="session_contact.contact_id")
    criterion = serializers.IntegerField(source="criterion_id")
    value = serializers.CharField()
    is_na = serializers.BooleanField()
    reason = serializers.CharField()


class ContactNotesSerializer(serializers.Serializer):
    contact = IdField(help_text="One of the session's contacts.")
    notes = serializers.CharField(allow_blank=True, max_length=20_000)


class CriterionFlagInputSerializer(serializers.Serializer):
    criterion = IdField(help_text="A criterion of the session's version.")
    kind = serializers.ChoiceField(choices=FlagKind.choices)
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=5_000)
    remove = serializers.BooleanField(
        required=False, default=False, help_text="true: take the flag off again."
    )


class CriterionFlagSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=FlagKind.choices)
    note = serializers.CharField()
    removed = serializers.BooleanField()


# --- series ----------------------------------------------------------------------------------


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SeriesSerializer(serializers.ModelSerializer):
    team = NamedRefSerializer(read_only=True)
    scorecard = NamedRefSerializer(read_only=True)
    facilitator = UserRefSerializer(read_only=True)
    cadence = serializers.CharField(
        source="rule_in_words", read_only=True, help_text="The rule in words."
    )
    next_meetings = serializers.ListField(
        child=serializers.DateTimeField(), read_only=True, help_text="The next five meetings."
    )

    class Meta:
        model = Series
        fields = [
            "id",
            "title",
            "team",
            "scorecard",
            "facilitator",
            "cadence",
            "cadence_kind",
            "weekday",
            "interval",
            "nth",
            "first_day",
            "meeting_time",
            "time_zone",
            "duration_minutes",
            "location",
            "reference_mode",
            "tolerance",
            "scoring_days",
            "lead_days",
            "sample_channel",
            "sample_days",
            "sample_size",
            "is_active",
            "last_problem",
            "next_meetings",
        ]
        read_only_fields = fields
