#!/usr/bin/env python3
"""Times numpy/OpenBLAS (and scipy's LU) on dense Leontief matrices of the sizes the
`leontief` bench uses (docs/performance.md): `I - A` with A built as `SyntheticTable` builds
its coefficients (weights cubed, column sums in [0.3, 0.7]); medians of repeated runs.
Needs numpy and scipy; `cargo bench --bench leontief` runs it when SHORTFALL_PEER_PYTHON
names that Python. Prints one line per size and operation, in seconds."""
import sys
import time

import numpy as np
import scipy.linalg as sl


def median(f, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2]


for n in [int(a) for a in sys.argv[1:]] or [2000, 5000]:
    rng = np.random.default_rng(5)
    w = rng.uniform(0, 1, (n, n)) ** 3
    a = w / w.sum(0) * rng.uniform(0.3, 0.7, n)
    m = np.eye(n) - a
    b = rng.uniform(0, 1, n)
    runs = 5 if n <= 2000 else 3
    lu = sl.lu_factor(m)
    print(f"{n} inverse {median(lambda: np.linalg.inv(m), runs):.6f}")
    print(f"{n} lu_factor {median(lambda: sl.lu_factor(m), runs):.6f}")
    print(f"{n} lu_solve {median(lambda: sl.lu_solve(lu, b), 50):.6f}")
