from django.core.management.base import BaseCommand

from qalibrate.contacts.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Delete recordings and transcripts older than their team's retention (the worker does "
        "it every night); scores, answers and statistics stay."
    )

    def handle(self, *args, **options):
        cleared = retention_apply()
        self.stdout.write(f"{cleared} contacts lost their recording and transcript.")
