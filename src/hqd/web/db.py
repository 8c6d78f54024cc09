"""The server's one handle on the warehouse: DuckDB allows one writing process, so the server opens the file
once and gives each request its own cursor; writes (uploads, decisions, the audit log) take one lock.

The records behind an indicator need the period's populations prepared (temporary tables); a prepared
cursor per period is kept and rebuilt when a load or compute has changed the warehouse since.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from hqd.config import Settings
from hqd.warehouse.connection import open_initialised
from hqd.warehouse.macros import register_macros
from hqd.warehouse.secret import load_secret


class Db:
    def __init__(self, cfg: Settings) -> None:
        self.cfg = cfg
        self.root: duckdb.DuckDBPyConnection | None = open_initialised(cfg)
        self.secret = load_secret(cfg.secret_path)
        self.write_lock = threading.RLock()
        self._prepared: dict[str, tuple[tuple, duckdb.DuckDBPyConnection, threading.Lock]] = {}
        self._prepare_lock = threading.Lock()

    def _root(self) -> duckdb.DuckDBPyConnection:
        """The open warehouse; reopened after a shutdown (an application can be started again, as tests do)."""
        with self._prepare_lock:
            if self.root is None:
                self.root = open_initialised(self.cfg)
            return self.root

    @contextmanager
    def cursor(self, macros: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self._root().cursor()
        try:
            if macros:
                register_macros(cur)
            yield cur
        finally:
            cur.close()

    def version(self, con: duckdb.DuckDBPyConnection) -> tuple:
        """Changes whenever a load or a compute has run: the key of everything cached per period."""
        return con.execute(
            "SELECT (SELECT max(import_id) FROM imports), (SELECT max(run_id) FROM compute_runs)"
        ).fetchone()

    @contextmanager
    def prepared(self, period: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor with the period's populations prepared, used by one request at a time."""
        from hqd.engines.duckdb import DuckDBEngine
        from hqd.indicators.periods import parse
        from hqd.indicators.runner import Computation

        with self.cursor() as probe:
            version = self.version(probe)
        with self._prepare_lock:
            entry = self._prepared.get(period)
            if entry is None or entry[0] != version:
                if entry is not None:
                    entry[1].close()
                cur = self.root.cursor()  # opened by the probe above
                register_macros(cur)
                Computation(DuckDBEngine(cur), parse(period)).prepare()
                entry = (version, cur, threading.Lock())
                self._prepared[period] = entry
        with entry[2]:
            yield entry[1]

    def close(self) -> None:
        with self._prepare_lock:
            for _, cur, _ in self._prepared.values():
                cur.close()
            self._prepared.clear()
            if self.root is not None:
                self.root.close()
                self.root = None
