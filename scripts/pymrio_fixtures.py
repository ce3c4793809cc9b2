#!/usr/bin/env python3
"""Fixture for the Leontief inverse (docs/model.md §2.5): pymrio 0.7.0's `L` of its test
table, as `tests/fixtures/boario/pymrio_test` holds the table (Z, Y, x read back from those
files so both sides see the same numbers).

    tests/fixtures/pymrio/L.csv   row and column per industry (region:sector), 17 digits

Run: python3 -m venv venv && venv/bin/pip install pymrio==0.7.0
     venv/bin/python scripts/pymrio_fixtures.py
The project's tests read the CSV file; they never run Python.
"""

import pathlib

import pandas as pd
import pymrio

ROOT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def main():
    table = ROOT / "boario" / "pymrio_test"
    z = pd.read_csv(table / "Z.csv", sep="\t", index_col=[0, 1], header=[0, 1])
    y = pd.read_csv(table / "Y.csv", sep="\t", index_col=[0, 1], header=[0, 1])
    x = pd.read_csv(table / "x.csv", sep="\t", index_col=[0, 1], header=[0])
    io = pymrio.IOSystem(Z=z, Y=y, x=x, name="pymrio_test")
    io.meta.note("read back from the fixture CSV")
    io.calc_all()
    names = [f"{r}:{s}" for r, s in io.L.index]
    out = pd.DataFrame(io.L.values, index=names, columns=names)
    folder = ROOT / "pymrio"
    folder.mkdir(parents=True, exist_ok=True)
    out.to_csv(folder / "L.csv", float_format="%.17g")
    print(f"pymrio {pymrio.__version__}: L of {len(names)} industries")


if __name__ == "__main__":
    main()
