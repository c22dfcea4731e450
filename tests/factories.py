import factory
from django.utils import timezone

from qalibrate.accounts.models import Agent, Role, Team, User
from qalibrate.contacts.models import Channel, Contact

PASSWORD = "correct-horse-battery"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.EVALUATOR
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent

    full_name = factory.Faker("name")
    # The team of tests/fixtures.py's `team` and `users`: people see their teams' contacts only,
    # so another team is asked for by name (team=TeamFactory()).
    team = factory.SubFactory(TeamFactory, name="Customer support")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    channel = Channel.CALL
    agent = factory.SubFactory(AgentFactory)
    team = factory.SelfAttribute("agent.team")
    occurred_at = factory.LazyFunction(timezone.now)
    external_id = factory.Sequence(lambda n: f"EXT-{n:05d}")
    language = "en"
    subject = "Billing question"


def build_scorecard(author, *, publish=False, name="Inbound support call", team=None):
    """A small real scorecard: two sections, yes/no, scale, options and text criteria; the
    organisation's unless a team is given."""
    from qalibrate.scorecards import services

    scorecard = services.scorecard_create(
        author=author, name=name, purpose="customer_experience", language="en", team=team
    )
    version = scorecard.draft
    opening = services.section_add(version=version, title="Opening", weight=1)
    services.criterion_add(section=opening, text="Greets with own name", kind="yes_no", points=1)
    services.criterion_add(
        section=opening, text="Verifies identity", kind="yes_no", points=2, critical="form"
    )
    resolution = services.section_add(version=version, title="Resolution", weight=2)
    services.criterion_add(
        section=resolution, text="Understands the need", kind="scale", points=4, scale_max=5
    )
    services.criterion_add(
        section=resolution,
        text="Information is correct",
        kind="options",
        options=[
            {"label": "Correct", "points": 3},
            {"label": "Partly", "points": 1},
            {"label": "Wrong", "points": 0},
        ],
        na_allowed=True,
    )
    services.criterion_add(section=resolution, text="Notes", kind="text")
    if publish:
        services.version_publish(version=version, user=author)
    return scorecard
