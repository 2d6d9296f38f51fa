from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from sessions.models import Talk

FIXTURE = settings.BASE_DIR / "fixtures" / "reinvent-2022.json"


class Command(BaseCommand):
    help = "Load the AWS re:Invent 2022 catalog when the catalog is empty."

    def handle(self, *args, **options) -> None:
        if Talk.objects.exists():
            self.stdout.write("The catalog already has talks; nothing loaded.")
            return
        call_command("loaddata", FIXTURE, verbosity=0)
        self.stdout.write(f"Loaded {Talk.objects.count()} talks from {FIXTURE.name}.")
