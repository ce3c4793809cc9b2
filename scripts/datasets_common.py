"""What the dataset scripts share: rounding and writing the builder's tables (docs/data.md).

Each script computes its rows and calls `write(out_dir, production=..., trade=..., ...)`;
a table not given is written empty, with its header, so every dataset folder has the
same files.
"""

import csv
import io
import os

HEADERS = {
    "production.csv": ["region", "product", "production", "capacity", "item", "status",
                       "source", "note"],
    "trade.csv": ["exporter", "importer", "product", "quantity", "hs_code", "status",
                  "source", "note"],
    "recipes.csv": ["output", "input", "coefficient", "basis", "region", "low", "high",
                    "status", "source", "note"],
    "stocks.csv": ["region", "product", "quantity", "unit", "status", "source", "note"],
    "joint.csv": ["host", "output", "yield", "region", "item", "status", "source", "note"],
}


def r1(x):
    """A quantity rounded to one decimal, as the tables hold it."""
    return round(x, 1)


def write(out, tables):
    """Writes `tables` ({file name: rows}) under `out` with their headers."""
    for name, rows in tables.items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(HEADERS[name])
        w.writerows(rows)
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(buf.getvalue())
