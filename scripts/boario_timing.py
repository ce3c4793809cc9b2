#!/usr/bin/env python3
"""Times BoARIO 0.7.2 per step on dense tables built like `network::SyntheticTable`
(400, 2,000 and 5,000 industries; docs/performance.md, dynamic engine). Arguments:
`regions:sectors:steps` triples (default 20:20:50 40:50:10). Needs boario==0.7.2,
pymrio==0.7.0 and progressbar2 in a virtual environment; `cargo bench --bench dynamic`
runs it when SHORTFALL_PEER_PYTHON names that Python; the tests never do."""
import sys, time, numpy as np, pandas as pd, pymrio, warnings, logging
warnings.filterwarnings("ignore")
from boario.extended_models import ARIOPsiModel
from boario.simulation import Simulation
import boario; boario.logger.setLevel(logging.ERROR)
def table(nr, ns, seed=5):
    rng = np.random.default_rng(seed)
    regions=[f"r{i}" for i in range(nr)]; sectors=[f"s{i:03d}" for i in range(ns)]
    idx = pd.MultiIndex.from_product([regions, sectors], names=["region","sector"]); n=nr*ns
    w = rng.uniform(0,1,(n,n))**3; a = w/w.sum(0)*rng.uniform(0.3,0.7,n)
    yc = pd.MultiIndex.from_product([regions,["fc"]], names=["region","category"])
    y = rng.uniform(50,150,(n,nr)); x = np.linalg.solve(np.eye(n)-a, y.sum(1))
    io = pymrio.IOSystem(Z=pd.DataFrame(a*x, index=idx, columns=idx), Y=pd.DataFrame(y,index=idx,columns=yc), x=pd.DataFrame(x,index=idx,columns=["indout"]))
    return io.calc_all()
sizes = [tuple(int(v) for v in a.split(":")) for a in sys.argv[1:]] or [(20,20,50),(40,50,10)]
for nr, ns, steps in sizes:
    io = table(nr, ns)
    m = ARIOPsiModel(io); sim = Simulation(m, n_temporal_units_to_sim=steps)
    sim.next_step()
    t0=time.perf_counter()
    for _ in range(steps-1): sim.next_step()
    print(nr*ns, "industries:", (time.perf_counter()-t0)/(steps-1)*1e3, "ms per step", flush=True)
