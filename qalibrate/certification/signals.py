"""Sent inside the transaction that starts a certification, so higher apps (notifications) can
tell the candidate without certification importing them."""

from django.dispatch import Signal

# Sent with certification=<Certification> when a QA lead starts one.
certification_started = Signal()
