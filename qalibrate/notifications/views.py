from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qalibrate.notifications import selectors, services
from qalibrate.notifications.models import EmailStatus, Notification, Subscription
from qalibrate.notifications.permissions import can_see_deliveries


@login_required
def notification_list(request):
    page = Paginator(Notification.objects.visible_to(request.user), 30).get_page(
        request.GET.get("page")
    )
    notifications = selectors.with_words(page.object_list, reader=request.user)
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "notifications": notifications,
            "can_see_deliveries": can_see_deliveries(request.user),
        },
    )


@login_required
@require_POST
def notification_open(request, pk):
    """Mark one as read and go where it points."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.mark_read(user=request.user, pk=notification.pk)
    return redirect(notification.url or "notification_list")


@login_required
@require_POST
def notification_read_all(request):
    services.mark_read(user=request.user)
    return redirect("notification_list")


@login_required
def delivery_list(request):
    """For administrators: e-mails that failed, or wait to be tried again."""
    if not can_see_deliveries(request.user):
        raise PermissionDenied
    troubled = (
        Notification.objects.filter(email_status__in=[EmailStatus.FAILED, EmailStatus.PENDING])
        .exclude(attempts=0)
        .select_related("user")
        .order_by("email_status", "-created_at")
    )
    return render(
        request,
        "notifications/deliveries.html",
        {
            "troubled": selectors.with_words(troubled[:200], reader=request.user),
            "max_attempts": services.MAX_ATTEMPTS,
        },
    )


@login_required
@require_POST
def delivery_retry(request, pk):
    if not can_see_deliveries(request.user):
        raise PermissionDenied
    services.retry_now(notification=get_object_or_404(Notification, pk=pk))
    messages.success(request, _("The e-mail will be sent again in a moment."))
    return redirect("delivery_list")


@login_required
@require_POST
def email_choices(request):
    """The optional e-mails a person gets (on the Preferences page)."""
    services.emails_wanted_set(user=request.user, kinds=request.POST.getlist("kinds"))
    messages.success(request, _("Your e-mail choices have been saved."))
    return redirect("preferences")


@login_required
@require_POST
def feed_token_renew(request):
    """A new secret address for the calendar feed; the old one stops working at once."""
    services.feed_token_renew(user=request.user)
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    return redirect("preferences")


def calendar_feed(request, token):
    """The personal ICS subscription: no log-in (calendar programs cannot), the token is the key."""
    subscription = (
        Subscription.objects.select_related("user").filter(feed_token=token).first()
        if len(token) <= 64
        else None
    )
    if subscription is None or not subscription.user.is_active:
        raise Http404
    user = subscription.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = selectors.calendar_feed(user=user, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
