"""SQLite that lets writers take turns in the order they arrive.

With IMMEDIATE transactions a writer that finds the database busy sleeps and
retries on SQLite's schedule (1, 2, 5, 10 ... 100 ms). A worker that just
committed can start its next transaction before the sleeper wakes, again and
again: under load one queue change waited over 100 ms while the database was
free most of that time. Writers here first take an exclusive flock on a file
next to the database: the kernel wakes a waiter the moment it is released, so
a transaction waits only for the ones really ahead of it. The lock is the
database file's own neighbour, so every process using the database shares it;
it is released with the transaction, and by the kernel if a process dies.
"""

import fcntl

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _turn_file = None
    _has_turn = False

    def _take_turn(self) -> None:
        if self._turn_file is None:
            self._turn_file = open(f"{self.settings_dict['NAME']}-writers", "a")  # noqa: SIM115
        fcntl.flock(self._turn_file, fcntl.LOCK_EX)
        self._has_turn = True

    def _end_turn(self) -> None:
        if self._has_turn:
            self._has_turn = False
            fcntl.flock(self._turn_file, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        self._take_turn()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._end_turn()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._end_turn()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._end_turn()
            if self._turn_file is not None:
                self._turn_file.close()
                self._turn_file = None
