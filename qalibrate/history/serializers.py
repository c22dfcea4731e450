"""What the history's API endpoints send (qalibrate/history/api.py). Each endpoint's
serializers are in a block of their own."""

from rest_framework import serializers

from qalibrate.agreement.weights import WEIGHTS
from qalibrate.history.criterion_selectors import VERDICTS
from qalibrate.history.models import DriftKind
from qalibrate.scorecards.models import CriterionKind

# --- GET /api/v1/history/criteria/<key>/ (criterion history) ----------------------------------


class CriterionHistoryEstimateSerializer(serializers.Serializer):
    value = serializers.FloatField()
    se = serializers.FloatField(allow_null=True, help_text="Gwet's standard error.")
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    confidence = serializers.FloatField()
    n = serializers.IntegerField(help_text="Contacts with an answer, over the pooled sessions.")
    weights = serializers.ChoiceField(choices=WEIGHTS)


class CriterionHistoryPooledSerializer(serializers.Serializer):
    sessions = serializers.IntegerField()
    contacts = serializers.IntegerField()
    ac1 = CriterionHistoryEstimateSerializer(
        allow_null=True, help_text="Gwet's AC1 (AC2 when weighted) of the pooled panel."
    )
    agreement = CriterionHistoryEstimateSerializer(
        allow_null=True, help_text="Percent agreement (weighted when ac1 is) of the pooled panel."
    )


class CriterionHistoryDifferenceSerializer(serializers.Serializer):
    value = serializers.FloatField(help_text="After minus before.")
    se = serializers.FloatField(help_text="sqrt(se_before² + se_after²): independent samples.")
    low = serializers.FloatField()
    high = serializers.FloatField()
    confidence = serializers.FloatField()


class CriterionHistoryFieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(source="name")
    old = serializers.CharField()
    new = serializers.CharField()


class CriterionHistoryChangeSerializer(serializers.Serializer):
    version = serializers.IntegerField(source="number", help_text="The version that changed it.")
    previous_version = serializers.IntegerField(source="previous")
    published_on = serializers.DateField(allow_null=True)
    changes = CriterionHistoryFieldChangeSerializer(many=True)
    before = CriterionHistoryPooledSerializer()
    after = CriterionHistoryPooledSerializer()
    difference = CriterionHistoryDifferenceSerializer(
        allow_null=True, help_text="AC1 (AC2) after minus before; null without both sides."
    )
    agreement_difference = CriterionHistoryDifferenceSerializer(allow_null=True)
    verdict = serializers.ChoiceField(
        choices=list(VERDICTS),
        help_text="Read from the difference's interval: above zero improved, below worse, "
        "across zero unclear; early when a side has too few contacts.",
    )


class CriterionHistorySessionSerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session_id")
    title = serializers.CharField()
    held_on = serializers.DateField()
    version = serializers.IntegerField()
    answers = serializers.IntegerField()
    agreement = serializers.FloatField(allow_null=True)
    alpha = serializers.FloatField(allow_null=True)
    ac1 = serializers.FloatField(allow_null=True, help_text="AC2 when weights are not identity.")
    matches_agreed = serializers.FloatField(allow_null=True)
    low_agreement = serializers.BooleanField()
    needs_clarification = serializers.BooleanField()


class CriterionHistoryScorecardSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class CriterionHistorySerializer(serializers.Serializer):
    key = serializers.CharField()
    scorecard = CriterionHistoryScorecardSerializer()
    text = serializers.CharField(source="criterion.text")
    kind = serializers.ChoiceField(source="criterion.kind", choices=CriterionKind.choices)
    version = serializers.IntegerField(
        source="criterion.section.version.number", help_text="The newest published version."
    )
    weights = serializers.ChoiceField(choices=WEIGHTS)
    sessions = CriterionHistorySessionSerializer(many=True)
    changes = CriterionHistoryChangeSerializer(many=True)


# --- GET /api/v1/history/trends/ (trends) -----------------------------------------------------


class TrendRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class TrendAlphaSerializer(serializers.Serializer):
    estimate = serializers.FloatField(source="value")
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)


class TrendSessionSerializer(serializers.Serializer):
    session = serializers.IntegerField(
        source="session_id", help_text="Its report: /reports/sessions/<session>/."
    )
    title = serializers.CharField()
    held_on = serializers.DateField()
    team = TrendRefSerializer(allow_null=True)
    scorecard = TrendRefSerializer()
    version = serializers.IntegerField(help_text="The scorecard version's number.")
    tolerance = serializers.FloatField(help_text="In points.")
    calibrated = serializers.BooleanField(allow_null=True)
    share_within = serializers.FloatField(
        allow_null=True, help_text="Share of scores within tolerance of the reference."
    )
    alpha = TrendAlphaSerializer(
        allow_null=True, help_text="Krippendorff's alpha of the totals with its 95% interval."
    )
    mean_abs_deviation = serializers.FloatField(
        allow_null=True, help_text="The evaluators' mean absolute deviation, in points."
    )
    evaluators = serializers.IntegerField()
    contacts = serializers.IntegerField()
    imported = serializers.BooleanField(help_text="Brought in from a spreadsheet.")


class TrendDirectionSerializer(serializers.Serializer):
    sessions = serializers.IntegerField(help_text="Sessions in each half compared.")
    first = serializers.FloatField(help_text="Mean share within tolerance, first sessions.")
    last = serializers.FloatField(help_text="Mean share within tolerance, last sessions.")
    change = serializers.FloatField(help_text="last - first, in percentage points.")


class TrendSummarySerializer(serializers.Serializer):
    sessions = serializers.IntegerField()
    judged = serializers.IntegerField(help_text="Sessions with a verdict, calibrated or not.")
    calibrated = serializers.IntegerField()
    share_calibrated = serializers.FloatField(allow_null=True)
    direction = TrendDirectionSerializer(
        allow_null=True, help_text="Null with fewer than two sessions with a share."
    )


class TrendsSerializer(serializers.Serializer):
    start = serializers.DateField(allow_null=True, help_text="The period's first day applied.")
    end = serializers.DateField(allow_null=True, help_text="The period's last day applied.")
    summary = TrendSummarySerializer(allow_null=True, help_text="Null when there is no session.")
    sessions = TrendSessionSerializer(many=True, help_text="Oldest first.")


# --- GET /api/v1/history/evaluators/<id>/ (an evaluator's history and drift) ------------------


class EvaluatorHistorySessionSerializer(serializers.Serializer):
    session = serializers.IntegerField(
        source="record.session_id", help_text="Its report: /reports/sessions/<session>/."
    )
    title = serializers.CharField(source="record.session.title")
    held_on = serializers.DateField(source="row.held_on")
    scorecard = serializers.IntegerField(source="record.scorecard_id")
    tolerance = serializers.FloatField(source="record.tolerance", help_text="In points.")
    contacts = serializers.IntegerField(
        source="row.contacts", help_text="Contacts with both their total and a reference (n)."
    )
    mean_abs = serializers.FloatField(
        source="row.mean_abs", allow_null=True, help_text="Mean absolute deviation, points."
    )
    bias = serializers.FloatField(
        source="row.bias",
        allow_null=True,
        help_text="Mean signed deviation from the reference: + lenient, - strict.",
    )
    deviation_sd = serializers.FloatField(source="row.deviation_sd", allow_null=True)
    within_tolerance = serializers.BooleanField(source="row.within_tolerance", allow_null=True)
    answers_compared = serializers.IntegerField(source="row.answers_compared")
    answers_matching = serializers.IntegerField(source="row.answers_matching")
    matches_agreed = serializers.FloatField(
        source="row.matches_agreed",
        allow_null=True,
        help_text="Share of their answers matching the agreed answer.",
    )
    shrunken_bias = serializers.FloatField(
        source="shrunken",
        allow_null=True,
        help_text="The bias pulled towards the pooled one; null outside the pooled sessions.",
    )
    pooled = serializers.BooleanField(
        source="pooled_in", help_text="One of the recent sessions the pooled bias is over."
    )
    drift_alert = serializers.ChoiceField(
        source="row.drift",
        choices=DriftKind.choices,
        allow_blank=True,
        help_text="The drift found when this session was recorded (blank: none).",
    )


class EvaluatorHistoryPooledSerializer(serializers.Serializer):
    estimate = serializers.FloatField(help_text="Pooled bias in points: + lenient, - strict.")
    low = serializers.FloatField(help_text="95% interval (modified Hartung-Knapp).")
    high = serializers.FloatField()
    tau2 = serializers.FloatField(help_text="Between-session variance (DerSimonian-Laird).")
    sessions = serializers.IntegerField(help_text="Sessions used (two or more contacts each).")
    contacts = serializers.IntegerField()
    pooled = serializers.BooleanField(help_text="False when only one session could be used.")


class EvaluatorHistoryOutsideSerializer(serializers.Serializer):
    session = serializers.IntegerField(source="record.session_id")
    held_on = serializers.DateField()
    mean_abs = serializers.FloatField(allow_null=True)


class EvaluatorHistoryDriftSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        source="kind",
        choices=DriftKind.choices,
        allow_blank=True,
        help_text="By the team's rule now, on the latest session (blank: no drift).",
    )
    label = serializers.CharField()
    reason = serializers.CharField(help_text="Why, in words, with the figures.")
    tolerance = serializers.FloatField(help_text="The latest session's, in points.")
    outside = EvaluatorHistoryOutsideSerializer(
        many=True, help_text="The sessions in a row outside the tolerance, when that fired."
    )


class EvaluatorHistoryRuleSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    consecutive = serializers.IntegerField(help_text="Sessions in a row outside the tolerance.")
    recent = serializers.IntegerField(help_text="Recent sessions the bias is pooled over.")


class EvaluatorHistoryCriterionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The criterion's key, stable across versions.")
    text = serializers.CharField(help_text="Its text in the latest published version.")
    differing = serializers.IntegerField(help_text="Answers differing from the agreed answer.")
    compared = serializers.IntegerField(help_text="Answers compared (n).")
    share = serializers.FloatField()


class EvaluatorHistoryTeamRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class EvaluatorHistoryTeamSerializer(serializers.Serializer):
    team = EvaluatorHistoryTeamRefSerializer(allow_null=True)
    rule = EvaluatorHistoryRuleSerializer()
    drift = EvaluatorHistoryDriftSerializer(source="verdict")
    pooled = EvaluatorHistoryPooledSerializer(
        source="verdict.pooled",
        allow_null=True,
        help_text="Over the team's last `rule.recent` sessions; null without a usable session.",
    )
    criteria = EvaluatorHistoryCriterionSerializer(
        many=True, help_text="Where they differ most from the agreed answers, pooled sessions."
    )
    sessions = EvaluatorHistorySessionSerializer(many=True, help_text="Oldest first.")


class EvaluatorHistoryPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="__str__")
    is_automatic = serializers.BooleanField(help_text="An automatic scorer, not a person.")


class ShareSerializer(serializers.Serializer):
    successes = serializers.IntegerField(help_text="Answers matching the agreed answer.")
    n = serializers.IntegerField(help_text="Answers compared with an agreed answer.")
    value = serializers.FloatField()
    low = serializers.FloatField(help_text="Wilson score interval.")
    high = serializers.FloatField()
    confidence = serializers.FloatField()


class ScorerTrustSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The criterion's key, stable across versions.")
    text = serializers.CharField(help_text="Its text in the latest published version.")
    sessions = serializers.IntegerField()
    scorer = ShareSerializer(help_text="The scorer's answers matching the agreed answer.")
    humans = CriterionHistoryEstimateSerializer(
        allow_null=True,
        help_text="The people's exact percent agreement with each other, same sessions.",
    )
    trustworthy = serializers.BooleanField(
        help_text="The scorer's lower bound is above the people's agreement."
    )


class EvaluatorHistorySerializer(serializers.Serializer):
    evaluator = EvaluatorHistoryPersonSerializer()
    teams = EvaluatorHistoryTeamSerializer(
        many=True, help_text="One part per team (its own drift rule), latest first."
    )
    trust = ScorerTrustSerializer(
        many=True,
        allow_null=True,
        help_text="An automatic scorer's trust per criterion, least trustworthy first; "
        "null for a person.",
    )


class RulingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    held_on = serializers.DateField()
    session = serializers.IntegerField(source="record.session_id")
    session_title = serializers.CharField(source="record.session.title")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    scorecard = serializers.IntegerField(source="scorecard_id")
    criterion_key = serializers.CharField()
    criterion = serializers.CharField(source="criterion.text")
    answer = serializers.CharField()
    answer_label = serializers.CharField(source="shown_answer")
    unanimous = serializers.BooleanField()
    reason = serializers.CharField()
    notes = serializers.CharField()


class RulingPageSerializer(serializers.Serializer):
    page = serializers.IntegerField(source="number")
    has_next = serializers.BooleanField()
    results = RulingSerializer(many=True, source="rulings")


class ProblemActionSerializer(serializers.Serializer):
    description = serializers.CharField()
    owner = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    status = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    session = serializers.IntegerField(source="session_id")
    session_title = serializers.CharField(source="session.title")
    meeting_at = serializers.DateTimeField(source="session.meeting_at")
    team = serializers.CharField(source="session.team.name", allow_null=True, default=None)
    criterion_key = serializers.CharField(source="criterion.key")
    criterion = serializers.CharField(source="criterion.text")
    note = serializers.CharField()
    actions = ProblemActionSerializer(many=True, source="session.actions.all")
