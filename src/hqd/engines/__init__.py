"""Engines behind one small interface (after ibis): the catalog's SQL is written once, in DuckDB's dialect,
and sqlglot translates it for the engine that runs it."""
