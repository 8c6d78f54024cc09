"""One local Spark session for the whole test run: starting a JVM costs seconds, a query does not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """local[2], four shuffle partitions, no UI: small and quick, the real engine all the same."""
    from hqd.engines.spark import spark_session

    session = spark_session(
        "local[2]",
        {"spark.sql.shuffle.partitions": "4", "spark.ui.enabled": "false", "spark.driver.memory": "1g"},
    )
    yield session
    session.stop()
