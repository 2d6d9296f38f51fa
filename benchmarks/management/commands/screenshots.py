"""The README's pictures, made from the app as it is: `make screenshots`.

Signs in as a demo person with a queue, a talk in progress and a watched, rated talk with
notes, serves the app with gunicorn (production settings) and has Debian's Chromium take
each picture. Run on a scratch database (the Makefile's target makes one).
"""

import os
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from benchmarks.serving import gunicorn, production_env
from planner import notes, queue
from planner.models import Entry
from sessions.models import Talk

PASSWORD = "screenshot-password-not-secret"
SHOTS = [
    # (file, path, width, height, signed in)
    ("catalog.png", "/", 1280, 900, True),
    ("talk.png", "/talks/aws-reinvent-2022/werner-vogels-cto-aws/", 1280, 1100, True),
    ("queue-phone.png", "/queue/", 375, 812, True),
]


class Command(BaseCommand):
    help = "Take the README's screenshots (docs/screenshots/) with Chromium."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))

    def handle(self, *args, out: Path, **options) -> None:
        if not Talk.objects.exists():
            call_command("load_catalog", verbosity=0)
        self.demo_person()
        out.mkdir(parents=True, exist_ok=True)
        from playwright.sync_api import sync_playwright

        chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        with gunicorn(production_env()) as (port, _server), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            for name, path, width, height, signed_in in SHOTS:
                context = browser.new_context(
                    base_url=f"http://127.0.0.1:{port}",
                    viewport={"width": width, "height": height},
                    color_scheme="light",
                )
                # No video host is asked for anything: pictures of our own pages only.
                context.route("https://**/*", lambda route: route.abort())
                page = context.new_page()
                if signed_in:
                    page.goto("/accounts/login/")
                    page.get_by_label("Username").fill("maya")
                    page.get_by_label("Password").fill(PASSWORD)
                    page.get_by_role("button", name="Sign in").click()
                    page.wait_for_url("**/")
                page.goto(path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=out / name)
                context.close()
                self.stdout.write(f"{out / name}")
            browser.close()

    def demo_person(self) -> None:
        user, _ = User.objects.get_or_create(username="maya", defaults={"email": "m@example.com"})
        user.set_password(PASSWORD)
        user.save()
        Entry.objects.filter(user=user).delete()
        talks = list(Talk.objects.order_by("position"))
        watched = queue.track(user, talks[2], Entry.Status.WATCHED)
        watched.rating = 5
        watched.save()
        notes.save(watched, "4:12 The Frugal Architect laws\n\n38:05 *Asynchronous* by default", "")
        watching = queue.track(user, talks[5], Entry.Status.WATCHING)
        watching.resume_seconds = 754
        watching.save()
        for talk in (talks[3], talks[9], talks[0], talks[7]):
            queue.track(user, talk)
