from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import render

from qalibrate.accounts import selectors as account_selectors
from qalibrate.accounts.models import Agent, Role, Team
from qalibrate.calibration import selectors as calibration_selectors
from qalibrate.certification import selectors as certification_selectors
from qalibrate.contacts import selectors as contact_selectors
from qalibrate.contacts.models import Contact
from qalibrate.core import metrics, observability
from qalibrate.core import selectors as core_selectors
from qalibrate.double_scoring import selectors as double_scoring_selectors
from qalibrate.evaluations.models import Evaluation


@login_required
def home(request):
    """Each role lands on its own page."""
    user = request.user
    if user.role == Role.ADMIN:
        context = {
            "users_by_role": account_selectors.users_by_role(),
            "team_count": Team.objects.count(),
            "agent_count": Agent.objects.filter(is_active=True).count(),
            "contact_count": Contact.objects.count(),
            "attention": core_selectors.attention_for(user=user),
        }
        return render(request, "core/home_admin.html", context)
    if user.role == Role.QA_LEAD:
        context = {
            "teams": core_selectors.team_overview(user=user, days=30),
            "attention": core_selectors.attention_for(user=user),
            "seconds": double_scoring_selectors.seconds_to_do(user=user),
            "certification": certification_selectors.in_progress_for(user=user),
        }
        return render(request, "core/home_qa_lead.html", context)
    evaluations = Evaluation.objects.visible_to(user).select_related(
        "contact__agent", "version__scorecard"
    )
    if user.role == Role.AGENT:
        context = {
            "contacts": contact_selectors.recent_contacts_for(user=user),
            "shared": evaluations.order_by("-released_at")[:10],
        }
        return render(request, "core/home_agent.html", context)
    context = {
        "teams": user.teams.all(),
        "to_score": calibration_selectors.sessions_to_score(user=user),
        "results": calibration_selectors.my_results(user=user),
        "drafts": calibration_selectors.drafts_in_progress(user=user),
        "seconds": double_scoring_selectors.seconds_to_do(user=user),
        "alignment": double_scoring_selectors.evaluator_alignment(user=user, evaluator=user),
        "certification": certification_selectors.in_progress_for(user=user),
    }
    return render(request, "core/home_evaluator.html", context)


def health(request):
    """200 when the database and the job queue answer, else 503 naming the part that does not.
    Kept to one SELECT 1 and one queue call: load balancers and benchmarks call it often."""
    return _health_response(
        {"database": observability.check_database, "queue": observability.check_queue}
    )


def ready(request):
    """For load balancers: 200 when this node can serve, its database reachable and migrated."""
    return _health_response(
        {"database": observability.check_database, "migrations": observability.check_migrations}
    )


def _health_response(checks: dict) -> JsonResponse:
    outcome = observability.run_checks(checks)
    healthy = all(value == "ok" for value in outcome.values())
    body = {"status": "ok" if healthy else "error", **outcome}
    return JsonResponse(body, status=200 if healthy else 503)


def metrics_view(request):
    if not metrics.may_scrape(request):
        return HttpResponseForbidden()
    return HttpResponse(metrics.exposition(), content_type=metrics.CONTENT_TYPE)
