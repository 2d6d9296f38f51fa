import contextlib
import logging
import signal

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from planner import background

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


class Command(BaseCommand):
    help = (
        "Run the background tasks (catalog refreshes) and the clock that queues what is "
        "due. Tasks a killed worker left running are queued again first. Ctrl-C stops it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between looks at the queue"
        )
        parser.add_argument(
            "--clock", type=float, default=60.0, help="Seconds between the clock's beats"
        )
        parser.add_argument(
            "--clock-only",
            action="store_true",
            help="Only queue what is due, when another backend's workers run the tasks",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="One beat of the clock, then run every queued task and exit",
        )

    def handle(
        self, *args, interval: float, clock: float, clock_only: bool, batch: bool, **options
    ) -> None:
        self._log_to_stdout(options["verbosity"])
        if clock_only:
            with contextlib.suppress(KeyboardInterrupt):
                background.Clock(clock).run()  # in this thread, until Ctrl-C
            return
        if not isinstance(task_backends["default"], DatabaseBackend):
            raise CommandError(
                "The tasks backend is not the database's: run that backend's own workers, "
                "and this command with --clock-only to queue what is due."
            )
        background.recover()
        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=background.worker_id(),
            excluded_queue_names=[],
        )
        if batch:
            background.tick()
        else:
            background.Clock(clock).start()
        handlers = {sig: signal.getsignal(sig) for sig in SIGNALS}
        worker.configure_signals()  # Ctrl-C: finish the task at hand, then stop
        try:
            worker.run()
        finally:
            for sig, handler in handlers.items():  # as they were (a --batch run in-process)
                signal.signal(sig, handler)

    def _log_to_stdout(self, verbosity: int) -> None:
        level = logging.WARNING if verbosity == 0 else logging.INFO
        for name in ("planner.background", "django_tasks_db", "django.tasks"):
            logger = logging.getLogger(name)
            logger.setLevel(level)
            if not logger.handlers:
                logger.addHandler(logging.StreamHandler(self.stdout))
                logger.propagate = False  # once, not again through the root's handler
