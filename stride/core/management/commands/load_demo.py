"""Load the demo clinic; running it again updates rows and creates nothing twice."""

from typing import Any

from django.core.management.base import BaseCommand

from stride.scheduling import demo as scheduling_demo


class Command(BaseCommand):
    help = "Load the demo clinic: location, team, articles, FAQ and resources (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        from stride.content import demo as content_demo
        from stride.programs import demo as programs_demo

        location = scheduling_demo.load()
        content_demo.load()
        programs_demo.load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo clinic ready: {location.name}. Staff sign in at /admin/ with "
                f"admin@stridept.example / {scheduling_demo.DEMO_STAFF_PASSWORD}"
            )
        )
