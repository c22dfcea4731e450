from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qalibrate.accounts.models import ApiToken, User
from qalibrate.api import tokens


class Command(BaseCommand):
    help = "Personal API tokens: create one (its key is printed once), list or revoke them."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make a token and print its key.")
        create.add_argument("username")
        create.add_argument("--name", default="Command line", help="What the token is for.")
        listing = actions.add_parser("list", help="A user's tokens (never their keys).")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user is called {username!r}.") from None

    def _create(self, *, username, name, **options):
        user = self._user(username)
        if not user.is_active:
            raise CommandError(f"{username!r} is deactivated; a token would not work.")
        if not name.strip():
            raise CommandError("The name cannot be empty.")
        token, key = tokens.token_create(user=user, name=name)
        # The key alone on standard output, so scripts can capture it; the rest on stderr.
        self.stderr.style_func = None
        self.stderr.write(
            f"Token {token.pk} {token.name!r} for {username}. Keep the key: it is not shown again."
        )
        self.stdout.write(key)

    def _list(self, *, username, **options):
        user = self._user(username)
        for token in user.api_tokens.all():
            state = "revoked" if token.revoked_at else "active"
            used = timezone.localtime(token.last_used_at).isoformat() if token.last_used_at else "-"
            self.stdout.write(
                f"{token.pk}\t{token.prefix}…\t{state}\tlast used {used}\t{token.name}"
            )

    def _revoke(self, *, token_id, **options):
        try:
            token = ApiToken.objects.select_related("user").get(pk=token_id)
        except ApiToken.DoesNotExist:
            raise CommandError(f"No token has the id {token_id}.") from None
        token.revoked_at = token.revoked_at or timezone.now()
        token.save(update_fields=["revoked_at"])
        self.stdout.write(f"Token {token.pk} of {token.user.username} is revoked.")
