#!/usr/bin/env python3
"""Fixtures for the agreement tests of the dynamic engine with BoARIO (docs/model.md §5.11).

Writes, for three monetary tables, the table itself in pymrio's CSV layout and the paths
BoARIO 0.7.2 computes under one event per run:

    tests/fixtures/boario/<table>/Z.csv, Y.csv, x.csv   the table (pymrio.save_all)
    tests/fixtures/boario/<table>/<run>.csv              one row per step, one column per series
    tests/fixtures/boario/<table>/<run>.json             the event's parameters

Tables: pymrio's test system (6 regions x 8 sectors), a seeded synthetic table of 4 x 6
and one of 20 x 20 (technical-coefficient column sums in [0.3, 0.7]).

Runs (365 daily steps, every model parameter at BoARIO's default: ARIOPsiModel, `alt`
orders; events with `event_monetary_factor` equal to the model's):
  capital       EventKapitalRecover on the industry selling the largest share of its output
                to industries: half its productive capital destroyed at step 10, duration 60,
                linear recovery over 90 steps (on 20 x 20: at step 5, duration 30, convex
                recovery, tau 60)
  arbitrary     (20 x 20) EventArbitraryProd on the second such industry: 30% of capacity
                at step 20, duration 40, linear recovery over 100 steps
  final_demand  (pymrio's) reg3's final users ask 0.8 of their demand from step 10 to step
                99, set by hand before each step through BoARIO's `final_demand` setter (it
                has no event for it)
  rebuild       (pymrio's) EventKapitalRebuild: 30% of the same industry's capital at step
                10, duration 5, rebuilt by construction 0.7 and manufactoring 0.3 over tau 60

<run>.csv names each series `series:region:sector` (`inventory:region:sector:input`):
  loss        capacity loss Δ used for production at the step
  alpha       overproduction factor α used for production at the step
  production  realised output (per step, table units / 365)
  inventory   the input inventory of `input` held by the industry after distribution
  fd_unmet    final demand for the first watched sector not met, by consuming region
for the watched industries: the shocked one and its five largest customers other than
itself (final_demand: the six selling the largest share of their output to reg3's final
users).

Run: python3 -m venv venv && venv/bin/pip install boario==0.7.2 pymrio==0.7.0 progressbar2
     venv/bin/python scripts/boario_fixtures.py
The project's tests read the CSV files; they never run Python.
"""

import json
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


def synthetic_table(nr=4, ns=6, seed=SEED):
    """`nr` regions x `ns` sectors, coefficient column sums in [0.3, 0.7], seeded."""
    rng = np.random.default_rng(seed)
    regions = [f"r{i + 1}" for i in range(nr)]
    sectors = [f"s{i + 1}" for i in range(ns)]
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


def watch_of(model, io, shocked):
    """The shocked industry and its five largest customers other than itself."""
    sales = io.Z.loc[shocked].drop(shocked).sort_values(ascending=False)
    return [shocked] + list(sales.index[:5])


def capital_event(model, shocked, kind, occurrence, duration, tau, function, share):
    """A BoARIO event on one industry and the parameters the Rust side rebuilds it from.

    kind `recovery` (EventKapitalRecover: `share` of the industry's productive capital
    destroyed), `arbitrary` (EventArbitraryProd: `share` of its capacity) or `rebuild`
    (EventKapitalRebuild: `share` of its capital, rebuilt by construction 0.7 and
    manufactoring 0.3, rebuilding factor 1)."""
    k = model.productive_capital[model.industries.get_loc(shocked)]
    impact = share if kind == "arbitrary" else share * k
    extra = {}
    if kind == "rebuild":
        extra = dict(
            rebuild_tau=tau,
            rebuilding_sectors={"construction": 0.7, "manufactoring": 0.3},
            rebuilding_factor=1.0,
        )
    else:
        extra = dict(recovery_tau=tau, recovery_function=function)
    event = from_scalar_industries(
        impact=impact,
        event_type=kind,
        affected_industries=pd.MultiIndex.from_tuples([shocked]),
        impact_distrib="equal",
        occurrence=occurrence,
        duration=duration,
        event_monetary_factor=model.monetary_factor,
        **extra,
    )
    params = dict(
        kind=kind,
        region=shocked[0],
        sector=shocked[1],
        impact=float(impact),
        occurrence=occurrence,
        duration=duration,
        tau=tau,
        recovery_function=function,
    )
    if kind == "rebuild":
        params["rebuilding_sectors"] = extra["rebuilding_sectors"]
        params["rebuilding_factor"] = extra["rebuilding_factor"]
    return event, params


def run(io, folder, name, watched, event=None, params=None, demand=None):
    """Runs BoARIO for STEPS daily steps and writes `<name>.csv` (and `<name>.json`, the
    event's parameters). `demand(step)` returns a final-demand matrix to set before the
    step (BoARIO has no event for it; the setter, not an in-place edit, keeps its totals)."""
    model = ARIOPsiModel(io)
    pos = {ind: model.industries.get_loc(ind) for ind in watched}
    sim = Simulation(model, n_temporal_units_to_sim=STEPS)
    if event is not None:
        sim.add_event(event)
    rows = []
    at_production = {}
    sector_of = list(model.sectors)
    fd_regions = list(model.regions)
    original_production = model.calc_production
    original_orders = model.calc_orders

    def calc_production(step):
        at_production["loss"] = model.prod_cap_delta_tot.copy()
        at_production["alpha"] = model.overprod.copy()
        return original_production(step)

    def calc_orders():
        at_production.setdefault("orders_loss", []).append(model.prod_cap_delta_tot.copy())
        return original_orders()

    model.calc_production = calc_production
    model.calc_orders = calc_orders
    for step in range(STEPS):
        if demand is not None:
            y = demand(sim.current_temporal_unit)
            if y is not None:
                model.final_demand = y
        if sim.next_step() != 0:
            sys.exit(f"BoARIO crashed at step {step}")
        for ind in watched:
            i = pos[ind]
            rows.append((step, "loss", *ind, "", at_production["loss"][i]))
            rows.append((step, "alpha", *ind, "", at_production["alpha"][i]))
            rows.append((step, "production", *ind, "", model.production[i]))
            for p, sector in enumerate(sector_of):
                rows.append((step, "inventory", *ind, sector, model.inputs_stock[p, i]))
        unmet = model.final_demand_not_met.reshape(model.n_regions, model.n_sectors)
        for ind in watched[:1]:
            sector = sector_of.index(ind[1])
            for r, region in enumerate(fd_regions):
                rows.append((step, "fd_unmet", region, ind[1], "", unmet[r, sector]))
    # Orders at a step see the capacity production saw: the engine's `ario` mode relies
    # on it, so check it here rather than assume it.
    losses = [r[-1] for r in rows if r[1] == "loss"]
    seen = [l[pos[ind]] for l in at_production["orders_loss"] for ind in watched]
    assert losses == seen
    out = pd.DataFrame(rows, columns=["step", "series", "region", "sector", "input", "value"])
    out["column"] = out.series + ":" + out.region + ":" + out.sector
    out.loc[out.series == "inventory", "column"] += ":" + out.input
    wide = out.pivot(index="step", columns="column", values="value")
    wide = wide[list(dict.fromkeys(out.column))]
    wide.to_csv(folder / f"{name}.csv", float_format="%.12g")
    if params is not None:
        (folder / f"{name}.json").write_text(json.dumps(params, indent=1) + "\n")
    print(f"{folder.name}/{name}: watched {watched}, n = {model.n_sectors * model.n_regions}")
    first = out[(out.series == "production") & (out.region == watched[1][0]) & (out.sector == watched[1][1])]
    base = first.value.iloc[0]
    print(f"  {watched[1]}'s output: min {first.value.min() / base - 1:+.2%} from baseline")


def most_intermediate(io, rank=0):
    """The industry selling the largest share of its output to industries (`rank` 1: the
    second largest)."""
    inter = io.Z.sum(axis=1) / io.x["indout"]
    return inter.sort_values(ascending=False).index[rank]


def capital_run(io, folder, name, kind, function, rank=0, share=0.5, timing=(10, 60, 90)):
    model = ARIOPsiModel(io)
    shocked = most_intermediate(io, rank)
    event, params = capital_event(model, shocked, kind, *timing, function, share)
    run(io, folder, name, watch_of(model, io, shocked), event, params)


def final_demand_run(io, folder, region, factor, steps):
    """`region`'s final users (its columns of Y) ask `factor` times their demand over
    `steps` (a range), set by hand before each step."""
    model = ARIOPsiModel(io)
    y0 = model.final_demand.copy()
    cols = np.array([r == region for r, _ in model.all_regions_fd])
    shocked = y0.copy()
    shocked[:, cols] *= factor

    def demand(step):
        if step == steps.start:
            return shocked
        if step == steps.stop:
            return y0
        return None

    # Watch the industries that sell the largest share of their output to the region.
    to_region = io.Y.loc[:, region].sum(axis=1) / io.x["indout"]
    watched = list(to_region.sort_values(ascending=False).index[:6])
    params = dict(
        kind="final_demand",
        region=region,
        factor=factor,
        from_step=steps.start,
        until_step=steps.stop,
    )
    run(io, folder, "final_demand", watched, params=params, demand=demand)


def main():
    print(f"boario {boario.__version__}, pymrio {pymrio.__version__}")
    test = pymrio.load_test().calc_all()
    test.meta.note("pymrio test system")
    folder = ROOT / "pymrio_test"
    io = write_table(test, folder)
    capital_run(io, folder, "capital", "recovery", "linear")
    final_demand_run(io, folder, "reg3", 0.8, range(10, 100))
    capital_run(io, folder, "rebuild", "rebuild", None, share=0.3, timing=(10, 5, 60))
    folder = ROOT / "synthetic"
    io = write_table(synthetic_table(), folder)
    capital_run(io, folder, "capital", "recovery", "linear")
    folder = ROOT / "synthetic_20x20"
    io = write_table(synthetic_table(20, 20, SEED + 1), folder)
    capital_run(io, folder, "capital", "recovery", "convexe", timing=(5, 30, 60))
    capital_run(io, folder, "arbitrary", "arbitrary", "linear", rank=1, share=0.3,
                timing=(20, 40, 100))


if __name__ == "__main__":
    main()
