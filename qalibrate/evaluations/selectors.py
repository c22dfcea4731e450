"""Reads for the evaluation pages."""

from qalibrate.evaluations.models import Evaluation
from qalibrate.scorecards.models import Criterion


def moment_field(seconds: float | None) -> str:
    """A moment in the recording as the screen's hidden c<id>_t field holds it (not localized:
    the browser posts it back as it is)."""
    return "" if seconds is None else str(seconds)


def form_values(evaluation: Evaluation) -> dict[str, str]:
    """The saved answers under the names of the evaluation screen's fields (c<id>, c<id>_comment,
    c<id>_t, summary), an empty string where nothing is saved. Two queries."""
    answers = {a.criterion_id: a for a in evaluation.answers.all()}
    values = {"summary": evaluation.summary}
    for criterion in Criterion.objects.filter(section__version_id=evaluation.version_id):
        answer = answers.get(criterion.pk)
        name = f"c{criterion.pk}"
        values[name] = answer.form_value if answer else ""
        if criterion.kind != "text":  # text criteria have no comment of their own on the screen
            values[f"{name}_comment"] = answer.comment if answer else ""
            values[f"{name}_t"] = moment_field(answer.media_timestamp if answer else None)
    return values
