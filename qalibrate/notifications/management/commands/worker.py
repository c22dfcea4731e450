from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey


class Command(RunHuey):
    help = (
        "Run background jobs: e-mail, reminders, recurring sessions. One worker with the default "
        "SQLite queue; any number on any machines with QALIBRATE_REDIS_URL."
    )
