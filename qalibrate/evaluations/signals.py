"""What the evaluations app tells the apps above it, inside the transaction of the change:
``evaluation_changed`` when an evaluation is submitted or reopened (the webhooks app queues
its deliveries)."""

from django.dispatch import Signal

# sender: Evaluation; keywords: evaluation, event ("submitted", "reopened")
evaluation_changed = Signal()
