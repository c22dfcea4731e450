"""What the API sends for a session's calibration report (GET /api/v1/sessions/<id>/report/):
every figure of the report page, in the order the page shows them."""

from rest_framework import serializers

from qalibrate.agreement.interpretation import SCALES
from qalibrate.agreement.weights import WEIGHTS
from qalibrate.calibration.models import ReferenceMode
from qalibrate.calibration.serializers import SessionSerializer
from qalibrate.contacts.serializers import ContactRefSerializer
from qalibrate.scorecards.models import CriterionKind


class AlphaSerializer(serializers.Serializer):
    estimate = serializers.FloatField()
    se = serializers.FloatField(
        allow_null=True, help_text="Jackknife standard error; null with under 3 contacts."
    )
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    confidence = serializers.FloatField()
    n = serializers.IntegerField(help_text="Contacts scored by two or more evaluators.")
    approximate = serializers.BooleanField(
        help_text="Too few contacts for the interval to be more than a rough range."
    )


class IccSerializer(serializers.Serializer):
    value = serializers.FloatField()
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    confidence = serializers.FloatField(allow_null=True)
    f_value = serializers.FloatField(allow_null=True, help_text="F test of ICC = 0.")
    df1 = serializers.FloatField(allow_null=True)
    df2 = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)


class HeadlineSerializer(serializers.Serializer):
    calibrated = serializers.BooleanField(allow_null=True)
    share_within = serializers.FloatField(allow_null=True)
    alpha = AlphaSerializer(
        allow_null=True, help_text="Krippendorff's interval alpha of the totals (jackknife t)."
    )
    icc = serializers.DictField(
        child=IccSerializer(),
        allow_null=True,
        help_text="ICC1 … ICC3k of the totals when every evaluator scored every contact, with "
        "F intervals (null bounds when undefined).",
    )
    contacts = serializers.IntegerField()
    evaluators = serializers.IntegerField()
    answers = serializers.IntegerField()
    mean_spread = serializers.FloatField(allow_null=True)


class BlandAltmanSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text="Contacts with both a total and a reference total.")
    bias = serializers.FloatField(help_text="Mean of evaluator minus reference, in points.")
    sd = serializers.FloatField()
    lower_limit = serializers.FloatField()
    upper_limit = serializers.FloatField()
    bias_low = serializers.FloatField(allow_null=True)
    bias_high = serializers.FloatField(allow_null=True)
    lower_limit_low = serializers.FloatField(allow_null=True)
    lower_limit_high = serializers.FloatField(allow_null=True)
    upper_limit_low = serializers.FloatField(allow_null=True)
    upper_limit_high = serializers.FloatField(allow_null=True)


class PairEstimateSerializer(serializers.Serializer):
    value = serializers.FloatField()
    se = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()
    confidence = serializers.FloatField()


class CriterionVersusReferenceSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    key = serializers.CharField()
    weights = serializers.ChoiceField(choices=WEIGHTS)
    n = serializers.IntegerField(
        help_text="Contacts both the evaluator and the reference answered."
    )
    same = serializers.IntegerField(help_text="Of them, contacts with the reference's answer.")
    kappa = PairEstimateSerializer(allow_null=True, help_text="Cohen's kappa (weighted).")
    ac1 = PairEstimateSerializer(allow_null=True, help_text="Gwet's AC1 (AC2 when weighted).")


class ReportEvaluatorSerializer(serializers.Serializer):
    user = serializers.IntegerField(allow_null=True, help_text="null in the anonymous display.")
    label = serializers.CharField()
    scored = serializers.IntegerField()
    mean_abs = serializers.FloatField(allow_null=True)
    bias = serializers.FloatField(allow_null=True)
    max_abs = serializers.FloatField(allow_null=True)
    within_tolerance = serializers.BooleanField(allow_null=True)
    matches_agreed = serializers.FloatField(allow_null=True)
    previous_mean_abs = serializers.FloatField(allow_null=True)
    is_reference = serializers.BooleanField(
        help_text="The expert whose scores are the reference (expert mode)."
    )
    versus_reference = BlandAltmanSerializer(
        allow_null=True, help_text="Bland-Altman limits of agreement with the reference totals."
    )
    criteria_versus_reference = CriterionVersusReferenceSerializer(many=True)


class SpreadSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    mean = serializers.FloatField()
    low = serializers.FloatField()
    high = serializers.FloatField()
    spread = serializers.FloatField()
    sd = serializers.FloatField(allow_null=True)


class CellSerializer(serializers.Serializer):
    total = serializers.FloatField(allow_null=True)
    deviation = serializers.FloatField(allow_null=True)


class ReportContactSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    contact = ContactRefSerializer()
    reference_total = serializers.FloatField(allow_null=True)
    agreed_score = serializers.FloatField(allow_null=True)
    spread = SpreadSerializer(allow_null=True)
    cells = CellSerializer(many=True, help_text="One per evaluator, in the evaluators' order.")


class BenchmarkSerializer(serializers.Serializer):
    scale = serializers.ChoiceField(choices=list(SCALES))
    level = serializers.ChoiceField(
        choices=list(dict.fromkeys(lv.key for scale in SCALES.values() for lv in scale.levels)),
        help_text="The highest level the coefficient reaches with 95% probability.",
    )
    probability = serializers.FloatField(
        allow_null=True, help_text="That the coefficient lies in this level."
    )
    cumulative = serializers.FloatField(
        allow_null=True, help_text="That it lies in this level or a higher one."
    )


class CoefficientSerializer(serializers.Serializer):
    value = serializers.FloatField()
    se = serializers.FloatField(allow_null=True, help_text="Gwet's standard error.")
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    confidence = serializers.FloatField()
    n = serializers.IntegerField(help_text="Contacts with an answer.")
    weights = serializers.ChoiceField(choices=WEIGHTS)
    benchmark = BenchmarkSerializer(
        allow_null=True, help_text="Gwet's probabilistic benchmark; null for percent agreement."
    )


class CoefficientsSerializer(serializers.Serializer):
    """The family of chance-corrected coefficients; null where one is undefined."""

    percent_agreement = CoefficientSerializer(allow_null=True)
    ac1 = CoefficientSerializer(allow_null=True, help_text="Gwet's AC1 (AC2 when weighted).")
    fleiss_kappa = CoefficientSerializer(allow_null=True)
    brennan_prediger = CoefficientSerializer(allow_null=True)
    conger_kappa = CoefficientSerializer(allow_null=True)
    krippendorff_alpha = CoefficientSerializer(allow_null=True)


class ReportCriterionSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    key = serializers.CharField()
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=CriterionKind.choices)
    n = serializers.IntegerField()
    agreement = serializers.FloatField(allow_null=True)
    alpha = serializers.FloatField(allow_null=True)
    ac1 = serializers.FloatField(allow_null=True)
    na_consistency = serializers.FloatField(allow_null=True)
    low_agreement = serializers.BooleanField()
    flagged = serializers.BooleanField()
    matches_agreed = serializers.FloatField(allow_null=True)
    previous_agreement = serializers.FloatField(allow_null=True)
    weights = serializers.ChoiceField(
        choices=WEIGHTS,
        help_text="identity (yes/no, unordered), ordinal (options), quadratic (scale).",
    )
    coefficients = CoefficientsSerializer()


class RawAnswerSerializer(serializers.Serializer):
    contact = serializers.CharField()
    agent = serializers.CharField()
    criterion = serializers.CharField()
    evaluator = serializers.CharField()
    answer = serializers.CharField(allow_blank=True)
    points = serializers.FloatField(allow_null=True)


class PreviousSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    meeting_at = serializers.DateTimeField()


class ReportSerializer(serializers.Serializer):
    session = SessionSerializer()
    reference_mode = serializers.ChoiceField(choices=ReferenceMode.choices)
    tolerance = serializers.FloatField()
    anonymous = serializers.BooleanField()
    headline = HeadlineSerializer()
    previous_session = PreviousSessionSerializer(allow_null=True)
    evaluators = ReportEvaluatorSerializer(many=True)
    contacts = ReportContactSerializer(many=True)
    criteria = ReportCriterionSerializer(many=True)
    raw_answers = RawAnswerSerializer(many=True)
