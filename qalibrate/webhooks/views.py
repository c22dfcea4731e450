"""The webhook pages, for administrators: the list, a webhook's settings and its delivery log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qalibrate.webhooks import selectors, services
from qalibrate.webhooks.forms import WebhookForm
from qalibrate.webhooks.models import Delivery, Webhook
from qalibrate.webhooks.permissions import can_manage_webhooks

LOG_PAGE_SIZE = 50


def _allowed(request) -> None:
    if not can_manage_webhooks(request.user):
        raise PermissionDenied


@login_required
def webhook_list(request):
    _allowed(request)
    return render(request, "webhooks/list.html", {"webhooks": selectors.webhooks_listed()})


@login_required
def webhook_form(request, pk=None):
    """A new webhook, or a webhook's settings changed."""
    _allowed(request)
    webhook = get_object_or_404(Webhook, pk=pk) if pk else None
    form = WebhookForm(request.POST or None, instance=webhook)
    if request.method == "POST" and form.is_valid():
        saved = services.webhook_save(user=request.user, webhook=form.save(commit=False))
        messages.success(request, _("The webhook has been saved."))
        return redirect("webhook_detail", saved.pk)
    return render(request, "webhooks/form.html", {"form": form, "webhook": webhook})


@login_required
def webhook_detail(request, pk):
    _allowed(request)
    webhook = get_object_or_404(Webhook.objects.select_related("team"), pk=pk)
    page = Paginator(selectors.deliveries_of(webhook), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "webhook": webhook,
        "page": page,
        "max_attempts": services.MAX_ATTEMPTS,
    }
    return render(request, "webhooks/detail.html", context)


@login_required
@require_POST
def webhook_ping(request, pk):
    _allowed(request)
    services.ping(user=request.user, webhook=get_object_or_404(Webhook, pk=pk))
    messages.success(request, _("A test event is on its way; its delivery shows below."))
    return redirect("webhook_detail", pk)


@login_required
@require_POST
def webhook_secret_renew(request, pk):
    _allowed(request)
    services.secret_renew(user=request.user, webhook=get_object_or_404(Webhook, pk=pk))
    messages.success(request, _("The webhook has a new secret; the old one signs nothing more."))
    return redirect("webhook_detail", pk)


@login_required
@require_POST
def webhook_delete(request, pk):
    _allowed(request)
    services.webhook_delete(user=request.user, webhook=get_object_or_404(Webhook, pk=pk))
    messages.success(request, _("The webhook has been deleted."))
    return redirect("webhook_list")


@login_required
@require_POST
def delivery_retry(request, pk):
    _allowed(request)
    delivery = get_object_or_404(Delivery, pk=pk)
    try:
        services.retry_now(user=request.user, delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The delivery will be sent again in a moment."))
    return redirect("webhook_detail", delivery.webhook_id)
