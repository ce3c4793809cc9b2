#!/usr/bin/env python3
"""Writes the derived tables of the embedded dataset `graphite_2024` (docs/data.md,
"graphite_2024", rules GR-A to GR-F).

Every sourced figure is a constant below with its source key and status; every derived
figure is computed here by the rule docs/data.md names. Quantities are tonnes of
graphite (natural, spherical, anode material) and GWh of lithium-ion cells. The script
writes

    data/graphite_2024/production.csv, trade.csv, recipes.csv, stocks.csv

and prints the headline figures. `regions.csv`, `products.csv` and `sources.csv` are
written by hand. Run: python3 scripts/graphite_2024.py
The library and its tests read the CSV files; they never run Python.
"""

import os

from datasets_common import r1, write

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "graphite_2024")

# --- Mining of natural graphite, t, 2024e (USGS MCS 2025, natural graphite) -----------
MINES = {"CN": 1_270_000, "MG": 89_000, "MZ": 75_000, "BR": 68_000, "IN": 27_800,
         "CA": 20_000, "KR": 9_600}
MINES_EU = 500 + 170  # Austria, Germany
# Tanzania 25,000, Russia 20,000, North Korea 8,100, Norway 7,000, Sri Lanka 3,300,
# Turkey 3,100, Vietnam 2,000, Ukraine 1,200, Mexico 900.
MINES_RW = 25_000 + 20_000 + 8_100 + 7_000 + 3_300 + 3_100 + 2_000 + 1_200 + 900

# --- China's exports before the permits (rule GR-B) ----------------------------------
# January-August 2023 (USGS MCS 2025): flake concentrate 50,700 t, spherical 35,600 t;
# at an annual rate (x 12/8). Destinations (USGS MCS 2025, 2024 shares): flake Korea 21%,
# Japan 20%, Germany 17% (the EU here), the US 6%; spherical (January-August 2024) Korea
# 49%, Japan 29%, the US 19%; the rest of the world the remainder.
CN_FLAKE = 50_700 * 12 / 8
CN_SPHERICAL = 35_600 * 12 / 8
FLAKE_TO = {"KR": 0.21, "JP": 0.20, "EU": 0.17, "US": 0.06}
FLAKE_TO["RW"] = 1 - sum(FLAKE_TO.values())
SPHERICAL_TO = {"KR": 0.49, "JP": 0.29, "US": 0.19}
SPHERICAL_TO["RW"] = 1 - sum(SPHERICAL_TO.values())

# --- The US (USGS MCS 2025, 2024e) ----------------------------------------------------
US_IMPORTS, US_EXPORTS = 60_000, 8_400
# Import sources 2020-23: China 43, Canada 13, Mexico 13, Mozambique 13, other 18.
US_OTHERS = {"CA": 13, "MZ": 13, "RW": 13 + 18}  # Mexico in the rest of the world
VIDALIA = 11_300  # t/yr, initial capacity of the Vidalia, LA plant (USGS MCS 2025)

# --- Anode material, 2024 (SNE Research via Chosun Biz, 2025) --------------------------
NATURAL_ANODE = 294_000
SYNTHETIC_ANODE = 1_756_000
SPHERICAL_PER_ANODE = 1.0526  # E: 1/0.95, losses in purification and coating
FLAKE_PER_SPHERICAL = 1 / 0.40  # E: spheronisation yield 30-50%
# Synthetic anode outside China (E; Chinese firms about 93% of the market, SNE 2023).
SYNTHETIC_OUT = {"JP": 30_000, "KR": 6_000, "RW": 30_000}

# --- Cells, GWh, 2024 (rule GR-E) -----------------------------------------------------
WORLD_GWH = 1_550  # E: lithium-ion cells for all uses
GWH_SHARE = {"CN": 0.80, "EU": 0.07, "US": 0.045, "KR": 0.02, "JP": 0.02}
GWH_SHARE["RW"] = 1 - sum(GWH_SHARE.values())
ANODE_PER_GWH = (NATURAL_ANODE + SYNTHETIC_ANODE) / WORLD_GWH
NATURAL_SHARE = NATURAL_ANODE / (NATURAL_ANODE + SYNTHETIC_ANODE)

# Other uses of natural graphite from the non-Chinese mines (rule GR-C, E).
MINE_EXPORTS = {"MG": {"EU": 20_000, "RW": 69_000}, "MZ": {"EU": 15_000}, "BR": {"RW": 20_000}}


def main():
    prod, trade, recipes, stocks = [], [], [], []

    def p(region, product, qty, status, source, note, capacity=""):
        if qty <= 0:
            return
        prod.append([region, product, r1(qty), capacity, "", status, source, note])

    def t(a, b, product, qty, hs, status, source, note):
        if qty > 0:
            trade.append([a, b, product, r1(qty), hs, status, source, note])

    for reg, q in MINES.items():
        p(reg, "natural_graphite", q, "R*", "USGS-MCS25-GR", "")
    p("EU", "natural_graphite", MINES_EU, "D", "USGS-MCS25-GR", "Austria 500 + Germany 170")
    p("RW", "natural_graphite", MINES_RW, "D", "USGS-MCS25-GR",
      "Tanzania, Russia, North Korea, Norway, Sri Lanka, Turkey, Vietnam, Ukraine, Mexico")

    # China's exports (rule GR-B).
    for reg, s in FLAKE_TO.items():
        t("CN", reg, "natural_graphite", CN_FLAKE * s, "2504.10.10", "D", "USGS-MCS25-GR",
          f"Jan-Aug 2023 flake x 12/8, {s:.0%} (rule GR-B)")
    for reg, s in SPHERICAL_TO.items():
        t("CN", reg, "spherical_graphite", CN_SPHERICAL * s, "2504.10.91", "D", "USGS-MCS25-GR",
          f"Jan-Aug 2023 spherical x 12/8, {s:.0%} (rule GR-B)")

    # The US's other imports and its exports (rule GR-C).
    from_cn = CN_FLAKE * FLAKE_TO["US"] + CN_SPHERICAL * SPHERICAL_TO["US"]
    rest = US_IMPORTS - from_cn
    tot = sum(US_OTHERS.values())
    for reg, w in US_OTHERS.items():
        t(reg, "US", "natural_graphite", rest * w / tot, "2504.10", "D", "USGS-MCS25-GR",
          "US imports less China's, by the 2020-23 shares of its other sources (rule GR-C)")
    t("US", "RW", "natural_graphite", US_EXPORTS, "2504.10", "R*", "USGS-MCS25-GR", "")
    for src, dests in MINE_EXPORTS.items():
        for reg, q in dests.items():
            t(src, reg, "natural_graphite", q, "2504.10", "E", "RULES", "rule GR-C")

    # Natural anode outside China from China's spherical (rule GR-D).
    natural = {}
    for reg, s in SPHERICAL_TO.items():
        natural[reg] = int(r1(CN_SPHERICAL * s) / SPHERICAL_PER_ANODE * 10) / 10
    natural["CN"] = NATURAL_ANODE - sum(natural.values())
    synthetic = dict(SYNTHETIC_OUT)
    synthetic["CN"] = SYNTHETIC_ANODE - sum(synthetic.values())

    # Cells and the blend of anode per GWh (rule GR-E).
    gwh = {reg: WORLD_GWH * s for reg, s in GWH_SHARE.items()}

    # Anode trade (rule GR-F): the surpluses of producers outside China go to the regions
    # short of that kind in proportion to their shortfalls (rounded down); China supplies
    # the rest (rounded up) and makes what it keeps and ships.
    def trade_kind(made, need, product, hs):
        short = {r: need[r] - made.get(r, 0) for r in need if need[r] > made.get(r, 0)}
        total_short = sum(short.values())
        got = {r: 0.0 for r in short}
        for a in sorted(made):
            surplus = made[a] - need.get(a, 0)
            if a == "CN" or surplus <= 0:
                continue
            for b, q in sorted(short.items()):
                x = int(surplus * q / total_short * 10) / 10
                t(a, b, product, x, hs, "E", "RULES", "surpluses outside China, pooled (rule GR-F)")
                got[b] += x
        cn_out = 0.0
        for b, q in sorted(short.items()):
            if b == "CN":
                continue
            x = r1(q - got[b] + 0.05)
            t("CN", b, product, x, hs, "E", "RULES", "China supplies the rest (rule GR-F)")
            cn_out += x
        return r1(need["CN"] + cn_out + 0.05)
    cells = {reg: int(g * 10) / 10 for reg, g in gwh.items()}
    nat_coef = round(ANODE_PER_GWH * NATURAL_SHARE, 4)
    syn_coef = round(ANODE_PER_GWH * (1 - NATURAL_SHARE), 4)
    need_nat = {reg: g * nat_coef for reg, g in cells.items()}
    need_syn = {reg: g * syn_coef for reg, g in cells.items()}
    natural["CN"] = trade_kind(natural, need_nat, "natural_anode", "3801.90")
    synthetic["CN"] = trade_kind(synthetic, need_syn, "synthetic_anode", "3801.10")
    for kind, made in (("natural_anode", natural), ("synthetic_anode", synthetic)):
        for reg, q in sorted(made.items()):
            cap = r1(VIDALIA) if (reg, kind) == ("US", "natural_anode") else ""
            p(reg, kind, q, "E", "SNE-2025" if reg == "CN" else "RULES",
              "rule GR-D" if kind == "natural_anode" else "rule GR-D (synthetic)", capacity=cap)
    cn_spherical = r1(natural["CN"] * SPHERICAL_PER_ANODE + 0.05) + sum(
        r1(CN_SPHERICAL * s) for s in SPHERICAL_TO.values())
    p("CN", "spherical_graphite", cn_spherical, "D", "RULES",
      "its natural anode's spherical and its exports (rule GR-D)")
    for reg, g in cells.items():
        p(reg, "li_ion_cells", g, "E", "IEA-BATT-2025", f"{GWH_SHARE[reg]:.1%} of {WORLD_GWH:,} GWh (rule GR-E)")

    # Recipes.
    def rec(out, inp, c, lo, hi, status, source, note, region=""):
        recipes.append([out, inp, c, "input_per_output", region, lo, hi, status, source, note])
    rec("spherical_graphite", "natural_graphite", FLAKE_PER_SPHERICAL, 2.0, 3.33, "E", "RULES",
        "spheronisation yield 0.40 (0.30-0.50) (rule GR-D)")
    rec("natural_anode", "spherical_graphite", round(SPHERICAL_PER_ANODE, 4), 1.0, 1.1, "E", "RULES",
        "purification and coating losses 5% (rule GR-D)")
    rec("li_ion_cells", "natural_anode", nat_coef,
        "", "", "D", "SNE-2025", "t per GWh: the world's natural share of anode (rule GR-E)")
    rec("li_ion_cells", "synthetic_anode", syn_coef,
        "", "", "D", "SNE-2025", "t per GWh: the world's synthetic share of anode (rule GR-E)")
    rec("graphite_other_uses", "natural_graphite", 1.0, 1.0, 1.0, "D", "RULES",
        "t per t (rule GR-C)")

    # Other uses: what each region absorbs of natural graphite beyond its spherical makers.
    absorbed = {}
    for row in prod:
        if row[1] == "natural_graphite":
            absorbed[row[0]] = absorbed.get(row[0], 0) + row[2]
    for row in trade:
        if row[2] == "natural_graphite":
            absorbed[row[1]] = absorbed.get(row[1], 0) + row[3]
            absorbed[row[0]] = absorbed.get(row[0], 0) - row[3]
    need = {"CN": r1(cn_spherical) * round(FLAKE_PER_SPHERICAL, 4)}
    recipes[0][2] = round(FLAKE_PER_SPHERICAL, 4)
    for reg, q in sorted(absorbed.items()):
        left = q - need.get(reg, 0)
        if left < 0:
            raise SystemExit(f"{reg}: natural graphite short by {-left}")
        p(reg, "graphite_other_uses", int(left * 10) / 10, "E", "RULES",
          "refractories, lubricants, brake linings, steel and other uses: the rest (rule GR-C)")

    write(OUT, {"production.csv": prod, "trade.csv": trade, "recipes.csv": recipes,
                "stocks.csv": stocks})
    world = sum(MINES.values()) + MINES_EU + MINES_RW
    print(f"mine: {world:,}, China {MINES['CN'] / world:.1%}")
    print(f"China spherical {cn_spherical:,.0f}, natural anode {natural['CN']:,.0f}, synthetic {synthetic['CN']:,.0f}")
    print(f"anode per GWh {ANODE_PER_GWH:.4f} t, natural share {NATURAL_SHARE:.4f}")


if __name__ == "__main__":
    main()
