"""Sent inside the transaction that keeps a pair's figures, so higher apps (notifications) can
act on it without double scoring importing them."""

from django.dispatch import Signal

# Sent with pair=<Pair> once both evaluations are submitted and its figures are kept.
pair_completed = Signal()
# Sent with pair=<Pair> when an evaluation is drawn and its second evaluation made.
pair_drawn = Signal()
