"""The whole inpatient pipeline in one call: skeleton → clinical detail → residence → people → costs."""

from __future__ import annotations

import numpy as np

from hqd.demo import clinical, costs, episodes, flows, frontsheet, patients
from hqd.demo.episodes import Episodes
from hqd.demo.region import RegionModel


def build(
    model: RegionModel,
    n: int,
    rng: np.random.Generator,
    *,
    designed: bool = True,
    people: bool = True,
    serial_start: int = 0,
) -> tuple[Episodes, dict]:
    """n discharge episodes of the region's institutions and the in-county design they were built to."""
    ep = episodes.draw_episodes(model, n, rng)
    clinical.principal(ep, rng)
    clinical.procedures(ep, rng)
    clinical.other_diagnoses(ep, rng)
    clinical.outcome(ep, rng)
    episodes.stamp_times(ep, rng)
    clinical.surgery_details(ep, rng)
    design = flows.assign_residence(ep, model, rng, designed=designed)
    flows.assign_payer(ep, rng)
    flows.assign_receivers(ep, model, rng)
    frontsheet.departments(ep, model, rng)
    if people:
        patients.build_people(ep, model, rng)
    else:
        simple_people(ep, rng, serial_start)
    costs.assign_costs(ep, rng)
    return ep, design


def simple_people(ep: Episodes, rng: np.random.Generator, serial_start: int = 0) -> None:
    """Identities without readmission linkage (for the large benchmark file): every episode its own person."""
    from hqd.demo import ids
    from hqd.demo.base import STR

    n = len(ep["inst"])
    ep["birth"] = patients.birth_dates(ep, rng)
    ep["person"] = np.arange(n) + serial_start
    ep["id_no"] = ids.id_numbers(ep["residence"].astype(STR), ep["birth"], ep["male"], rng)
    ep["name"] = ids.names(ep["male"], rng)
    ep["phone"] = ids.phones(n, rng)
    ep["bah"] = (np.arange(n, dtype=np.int64) + 10_000_000 + serial_start).astype(STR)
    ep["times"] = 1 + np.minimum(rng.geometric(0.7, n) - 1, 9)
