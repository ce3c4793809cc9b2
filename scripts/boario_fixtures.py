#!/usr/bin/env python3
"""Fixtures for the agreement test of the dynamic engine with BoARIO (docs/model.md §5.11).

Writes, for two monetary tables, the table itself in pymrio's CSV layout and the path
BoARIO 0.7.2 computes when half of one industry's productive capital is destroyed:

    tests/fixtures/boario/<table>/Z.csv, Y.csv, x.csv   the table (pymrio.save_all)
    tests/fixtures/boario/<table>/run.csv                one row per step and series

Tables: pymrio's test system (6 regions x 8 sectors) and a seeded synthetic table of
4 regions x 6 sectors whose technical-coefficient column sums lie in [0.3, 0.7].

The shocked industry sells the largest share of its output to industries. The event is
BoARIO's `EventKapitalRecover`: half the industry's productive capital destroyed at step
10, duration 60, linear recovery over 90 steps; 365 daily steps; every model parameter at
BoARIO's default (ARIOPsiModel, `alt` orders).

run.csv has one row per step and one column per series, named `series:region:sector`
(`inventory:region:sector:input` for inventories), where series is
  loss        capacity loss Δ of the shocked industry used for production at the step
  alpha       overproduction factor α used for production at the step
  production  realised output (per step, table units / 365)
  inventory   the input inventory of `input` held by the industry after distribution
  fd_unmet    final demand for the shocked sector not met, by consuming region
for the shocked industry and its five largest customers other than itself (`loss` only
for the shocked industry, `fd_unmet` per consuming region).

Run: python3 -m venv venv && venv/bin/pip install boario==0.7.2 pymrio==0.7.0
     venv/bin/python scripts/boario_fixtures.py
The project's tests read the CSV files; they never run Python.
"""

import pathlib
import sys

import numpy as np
import pandas as pd
import pymrio

import boario
from boario.event import from_scalar_industries
from boario.extended_models import ARIOPsiModel
from boario.simulation import Simulation

ROOT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "boario"
STEPS = 365
SEED = 20261127


def synthetic_table():
    """4 regions x 6 sectors, coefficient column sums in [0.3, 0.7], seeded."""
    rng = np.random.default_rng(SEED)
    regions = [f"r{i + 1}" for i in range(4)]
    sectors = [f"s{i + 1}" for i in range(6)]
    n = len(regions) * len(sectors)
    idx = pd.MultiIndex.from_product([regions, sectors], names=["region", "sector"])
    weights = rng.uniform(0.0, 1.0, size=(n, n)) ** 3
    col_sums = rng.uniform(0.3, 0.7, size=n)
    a = weights / weights.sum(axis=0) * col_sums
    y_cols = pd.MultiIndex.from_product(
        [regions, ["final consumption"]], names=["region", "category"]
    )
    y = rng.uniform(50.0, 150.0, size=(n, len(regions)))
    x = np.linalg.solve(np.eye(n) - a, y.sum(axis=1))
    z = a * x[np.newaxis, :]
    io = pymrio.IOSystem(
        Z=pd.DataFrame(z, index=idx, columns=idx),
        Y=pd.DataFrame(y, index=idx, columns=y_cols),
        x=pd.DataFrame(x, index=idx, columns=["indout"]),
        name="synthetic",
    )
    io.meta.note("seeded synthetic table for the BoARIO agreement test")
    return io


def write_table(io, folder):
    """Z, Y and x in pymrio's CSV layout, read back so both sides see the same numbers."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "pymrio"
    io.save_all(tmp, table_format="csv")
    for name in ["Z", "Y", "x"]:
        (tmp / f"{name}.csv").replace(folder / f"{name}.csv")
    for left in sorted(tmp.rglob("*"), reverse=True):
        left.unlink() if left.is_file() else left.rmdir()
    tmp.rmdir()
    z = pd.read_csv(folder / "Z.csv", sep="\t", index_col=[0, 1], header=[0, 1])
    y = pd.read_csv(folder / "Y.csv", sep="\t", index_col=[0, 1], header=[0, 1])
    x = pd.read_csv(folder / "x.csv", sep="\t", index_col=[0, 1], header=[0])
    back = pymrio.IOSystem(Z=z, Y=y, x=x, name=folder.name)
    back.meta.note("read back from the fixture CSV")
    return back.calc_all()


def run(io, folder):
    model = ARIOPsiModel(io)
    n = model.n_sectors * model.n_regions
    inter = io.Z.sum(axis=1) / io.x["indout"]
    shocked = inter.idxmax()
    sales = io.Z.loc[shocked].drop(shocked).sort_values(ascending=False)
    customers = list(sales.index[:5])
    watched = [shocked] + customers
    pos = {ind: model.industries.get_loc(ind) for ind in watched}
    k = model.productive_capital[pos[shocked]]
    event = from_scalar_industries(
        impact=0.5 * k,
        event_type="recovery",
        affected_industries=pd.MultiIndex.from_tuples([shocked]),
        impact_distrib="equal",
        occurrence=10,
        duration=60,
        recovery_tau=90,
        recovery_function="linear",
        event_monetary_factor=model.monetary_factor,
    )
    sim = Simulation(model, n_temporal_units_to_sim=STEPS)
    sim.add_event(event)

    rows = []
    at_production = {}
    sector_of = list(model.sectors)
    fd_regions = list(model.regions)
    shocked_sector = sector_of.index(shocked[1])
    original_production = model.calc_production
    original_orders = model.calc_orders

    def calc_production(step):
        at_production["loss"] = model.prod_cap_delta_tot.copy()
        at_production["alpha"] = model.overprod.copy()
        return original_production(step)

    def calc_orders():
        loss = model.prod_cap_delta_tot[pos[shocked]]
        at_production.setdefault("orders_loss", []).append(loss)
        return original_orders()

    model.calc_production = calc_production
    model.calc_orders = calc_orders
    for step in range(STEPS):
        if sim.next_step() != 0:
            sys.exit(f"BoARIO crashed at step {step}")
        rows.append((step, "loss", *shocked, "", at_production["loss"][pos[shocked]]))
        for ind in watched:
            i = pos[ind]
            rows.append((step, "alpha", *ind, "", at_production["alpha"][i]))
            rows.append((step, "production", *ind, "", model.production[i]))
            for p, sector in enumerate(sector_of):
                rows.append((step, "inventory", *ind, sector, model.inputs_stock[p, i]))
        unmet = model.final_demand_not_met.reshape(model.n_regions, model.n_sectors)
        for r, region in enumerate(fd_regions):
            rows.append((step, "fd_unmet", region, shocked[1], "", unmet[r, shocked_sector]))
    # Orders at a step see the capacity production saw: the engine's `ario` mode relies
    # on it, so check it here rather than assume it.
    losses = [r[-1] for r in rows if r[1] == "loss"]
    assert losses == at_production["orders_loss"]
    out = pd.DataFrame(rows, columns=["step", "series", "region", "sector", "input", "value"])
    out["column"] = out.series + ":" + out.region + ":" + out.sector
    out.loc[out.series == "inventory", "column"] += ":" + out.input
    wide = out.pivot(index="step", columns="column", values="value")
    wide = wide[list(dict.fromkeys(out.column))]
    wide.to_csv(folder / "run.csv", float_format="%.12g")
    print(f"{folder.name}: shocked {shocked}, customers {customers}, n = {n}")
    peak = out[(out.series == "production") & (out.region == customers[0][0]) & (out.sector == customers[0][1])]
    base = peak.value.iloc[0]
    print(f"  largest customer's output: min {peak.value.min() / base - 1:+.2%} from baseline")


def main():
    print(f"boario {boario.__version__}, pymrio {pymrio.__version__}")
    test = pymrio.load_test().calc_all()
    test.meta.note("pymrio test system")
    run(write_table(test, ROOT / "pymrio_test"), ROOT / "pymrio_test")
    run(write_table(synthetic_table(), ROOT / "synthetic"), ROOT / "synthetic")


if __name__ == "__main__":
    main()
