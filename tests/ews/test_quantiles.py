"""qnbinom / qpois against values printed by R 4.2.2 (options(digits = 17)), including huge means."""

from __future__ import annotations

import pytest
from scipy import special

from hqd.ews.algorithms.quantiles import qnbinom, qpois

# (p, size, prob, R's qnbinom)
NB = [
    (0.99, 2.5, 0.4, 14),
    (0.95, 2.5, 0.4, 10),
    (0.5, 2.5, 0.4, 3),
    (0.99, 1e-3 / 0.7, 1 / 1.7, 0),
    (0.99, 3e17, 0.5, 300000001801981376),
    (0.95, 3e17, 0.5, 300000001274098112),
    (0.5, 3e17, 0.5, 3e17),
    (0.99, 5e51 / 2, 1 / 3, 5.0000000000000066e51),
]
# (p, lambda, R's qpois)
POIS = [
    (0.99, 3.2, 8),
    (0.95, 3.2, 6),
    (0.5, 3.2, 3),
    (0.99, 1e-8, 0),
    (0.99, 5000.5, 5166),
    (0.95, 5000.5, 5117),
    (0.99, 1e17, 100000000735655792),
]


@pytest.mark.parametrize(("p", "size", "prob", "expected"), NB)
def test_qnbinom(p: float, size: float, prob: float, expected: float) -> None:
    assert qnbinom(p, size, prob) == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize(("p", "lam", "expected"), POIS)
def test_qpois(p: float, lam: float, expected: float) -> None:
    assert qpois(p, lam) == pytest.approx(expected, rel=1e-12, abs=0)


def test_exact_ties_are_left_continuous() -> None:
    # R: qpois(ppois(3, 2), 2) == 3 and qnbinom(pnbinom(4, 3, .5), 3, .5) == 4 thanks to the 8ε fuzz
    assert qpois(float(special.pdtr(3, 2)), 2) == 3
    assert qnbinom(float(special.betainc(3, 5, 0.5)), 3, 0.5) == 4
