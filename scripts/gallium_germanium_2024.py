#!/usr/bin/env python3
"""Writes the derived tables of the embedded dataset `gallium_germanium_2024` (docs/data.md,
"gallium_germanium_2024", rules GG-A to GG-G).

Every sourced figure is a constant below with its source key and status; every derived
figure is computed here by the rule docs/data.md names. Quantities are kilograms of
gallium or germanium content and tonnes of alumina. The script writes

    data/gallium_germanium_2024/production.csv, trade.csv, recipes.csv, stocks.csv, joint.csv

and prints the headline figures. `regions.csv`, `products.csv` and `sources.csv` are
written by hand. Run: python3 scripts/gallium_germanium_2024.py
The library and its tests read the CSV files; they never run Python.
"""

import os

from datasets_common import r1, write

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "gallium_germanium_2024")

# --- Alumina, the host of gallium (rule GG-A) -----------------------------------------
# Primary aluminium smelter output 2024e, kt (USGS MCS 2025, aluminum): China 43,000,
# Russia 3,800; alumina at 1.93 t per t of aluminium (E).
ALUMINA_PER_AL = 1.93
ALUMINA = {"CN": 43_000_000 * ALUMINA_PER_AL, "RU": 3_800_000 * ALUMINA_PER_AL}

# --- Primary (low-purity) gallium, kg, 2024e (USGS MCS 2025, gallium) ------------------
GA_PRIMARY = {"CN": 750_000, "RU": 6_000, "JP": 3_000, "KR": 3_000}
GA_CAPACITY = {"CN": 1_000_000, "RU": 10_000, "JP": 10_000, "KR": 16_000}
# The by-product bound (rule GG-A): China's capacity over its alumina, the same yield in
# Russia.
GA_YIELD = round(GA_CAPACITY["CN"] / ALUMINA["CN"], 6)

# --- China's gallium exports before the licences (rule GG-C) ---------------------------
# Mean of the four pre-control months found (GAGE-EXPORTS: Aug 2022 7,670; Oct 2022 3,250;
# Nov 2022 5,611; Mar 2023 6,480 kg) x 12.
CN_GA_EXPORTS = 12 * (7_670 + 3_250 + 5_611 + 6_480) / 4
# Destinations: Japan 51.4%, Germany 35.2% of China's gallium exports from January 2022 to
# December 2023 (FASTMARKETS-GA-2024); the US from the US side (rule GG-C); Canada the
# primary its refiner needs; the rest of the world the remainder.
US_GA_IMPORTS = 11_000  # kg, 2024e (USGS MCS 2025); sources 2020-23: Japan 24, China 19,
US_GA_SOURCES = {"JP": 0.24, "CN": 0.19, "DE": 0.19, "CA": 0.17, "RW": 0.21}  # Germany 19, Canada 17, other 21

# --- High-purity refining (rule GG-D, E) ---------------------------------------------------
REFINE_PER_KG = 1.0526  # kg primary per kg refined (E: 95% recovery)
GA_SECONDARY = {"JP": 20_000, "US": 8_000}  # new scrap from wafer making, refined (E)
CN_GA_REFINED = 200_000  # E: China's share of the world's ~320 t of high-purity gallium
CA_GA_REFINED = 5_000  # E

# --- Germanium, kg (rules GG-E, GG-F) ------------------------------------------------------
GE_WORLD = 220_000  # E
GE_CN_SHARE = 0.68  # China's share of world germanium production (FASTMARKETS-GA-2024, S)
GE_OTHER = {"CA": 20_000, "RU": 10_000, "BE": 20_000, "DE": 5_000}  # E: Teck Trail, Russia, Umicore, PPM
# China's exports before the licences: the mean of the pre-control months found (Oct 2022
# 2,410; Nov 2022 5,488; Mar 2023 4,702 kg) x 12; to the US 9,000 kg (E: 51% of US metal
# imports in 2020-23, 14,000-22,000 kg a year); the rest by the January-August 2024 shares
# (USGS MCS 2025: Belgium 33, Germany 32, Russia 25, Japan 6, other 4).
CN_GE_EXPORTS = 12 * (2_410 + 5_488 + 4_702) / 3
CN_GE_TO_US = 9_000
GE_SHARES = {"BE": 0.33, "DE": 0.32, "RU": 0.25, "JP": 0.06, "RW": 0.04}
US_GE_IMPORTS, US_GE_EXPORTS = 20_000 + 13_000, 7_200 + 120  # metal + dioxide, 2024e
US_GE_OTHERS = {"BE": 42 + 5, "CA": 23, "DE": 7}  # 2020-23 shares but China's 23; "other" with Belgium

# --- Uses (rule GG-G, E) -----------------------------------------------------------------
GA_REFINED_USES = {"ga_semiconductors": 0.79, "ga_optoelectronics": 0.21}  # US: ICs 79, opto 20, R&D 1
GE_USES = {"ge_fibre_optics": 0.35, "ge_infrared_optics": 0.30, "ge_electronics_solar": 0.25,
           "ge_other": 0.10}


def main():
    prod, trade, recipes, joint = [], [], [], []

    def p(region, product, qty, status, source, note, capacity="", item=""):
        if qty > 0:
            prod.append([region, product, r1(qty), capacity, item, status, source, note])

    def t(a, b, product, qty, hs, status, source, note):
        if qty > 0:
            trade.append([a, b, product, r1(qty), hs, status, source, note])

    # Alumina and primary gallium (rules GG-A, GG-B).
    for reg, q in ALUMINA.items():
        p(reg, "alumina", q, "E", "USGS-MCS25-AL", "smelter output x 1.93 t alumina per t (rule GG-A)")
    for reg, q in GA_PRIMARY.items():
        note = "joint output of alumina (rule GG-A)" if reg in ALUMINA else \
            "recovered from zinc-refinery residues, zinc not modelled (rule GG-B)"
        p(reg, "ga_primary", q, "R*", "USGS-MCS25-GA", note, capacity=GA_CAPACITY[reg])
    for reg in ALUMINA:
        joint.append(["alumina", "ga_primary", GA_YIELD, reg, "", "E", "USGS-MCS25-GA",
                      "kg of gallium the circuits can recover per t of alumina: China's capacity over its alumina (rule GG-A)"])

    # China's primary gallium exports (rule GG-C).
    us_from = {r: US_GA_IMPORTS * s for r, s in US_GA_SOURCES.items()}
    ca_primary = CA_GA_REFINED * REFINE_PER_KG
    cn_ga = {"JP": 0.514 * CN_GA_EXPORTS, "DE": 0.352 * CN_GA_EXPORTS, "US": us_from["CN"],
             "CA": ca_primary}
    cn_ga["RW"] = CN_GA_EXPORTS - sum(cn_ga.values())
    for reg, q in cn_ga.items():
        status = "D" if reg in ("JP", "DE") else "E"
        t("CN", reg, "ga_primary", q, "8112.92", status, "GAGE-EXPORTS",
          f"pre-control rate {CN_GA_EXPORTS:,.0f} kg a year (rule GG-C)")
    # Germany passes Chinese primary gallium on: to the US (its US share) and to the rest
    # of the world (Slovakia's refiner), keeping 40% for its own users (E).
    t("DE", "US", "ga_primary", us_from["DE"], "8112.92", "D", "USGS-MCS25-GA",
      "Germany's 19% of US gallium imports, as Chinese primary re-exported (rule GG-C)")
    de_rest = cn_ga["DE"] - us_from["DE"]
    t("DE", "RW", "ga_primary", 0.6 * de_rest, "8112.92", "E", "RULES", "rule GG-C")

    # High-purity refining (rule GG-D).
    jp_primary = GA_PRIMARY["JP"] + cn_ga["JP"]
    refined = {
        "CN": CN_GA_REFINED,
        "JP": jp_primary / REFINE_PER_KG,
        "CA": CA_GA_REFINED,
        "US": (us_from["CN"] + us_from["DE"]) / REFINE_PER_KG,
        "RW": (cn_ga["RW"] + 0.6 * de_rest) / REFINE_PER_KG,
    }
    for reg in refined:
        refined[reg] = int(refined[reg] * 10) / 10
    for reg, q in refined.items():
        src = "USGS-MCS25-GA"
        p(reg, "ga_refined", q, "E", src, "high-purity refining; world about 320 t (rule GG-D)")
    for reg, q in GA_SECONDARY.items():
        p(reg, "ga_refined", q, "E", "USGS-MCS25-GA",
          "new scrap of wafer making refined, a recycling loop (rule GG-D)", item="recycled")
    # Refined to the US (its imports from Japan, Canada and the rest of the world).
    for reg in ("JP", "CA", "RW"):
        t(reg, "US", "ga_refined", us_from[reg], "8112.92", "D", "USGS-MCS25-GA",
          f"{US_GA_SOURCES[reg]:.0%} of US gallium imports (rule GG-C)")
    # Canada's other refined gallium to the rest of the world.
    ca_total = CA_GA_REFINED
    t("CA", "RW", "ga_refined", ca_total - us_from["CA"], "8112.92", "E", "RULES", "rule GG-D")

    # Germanium (rules GG-E, GG-F).
    ge_cn = GE_WORLD * GE_CN_SHARE
    p("CN", "germanium", ge_cn, "E", "FASTMARKETS-GA-2024", "68% of an estimated world 220 t (rule GG-E)")
    for reg, q in GE_OTHER.items():
        p(reg, "germanium", q, "E", "RULES", "rule GG-E")
    rest = CN_GE_EXPORTS - CN_GE_TO_US
    cn_ge = {r: rest * s for r, s in GE_SHARES.items()}
    cn_ge["US"] = CN_GE_TO_US
    for reg, q in cn_ge.items():
        t("CN", reg, "germanium", q, "8112.92", "E", "GAGE-EXPORTS",
          f"pre-control rate {CN_GE_EXPORTS:,.0f} kg a year (rule GG-F)")
    us_rest = US_GE_IMPORTS - CN_GE_TO_US
    tot = sum(US_GE_OTHERS.values())
    for reg, w in US_GE_OTHERS.items():
        t(reg, "US", "germanium", us_rest * w / tot, "8112.92", "D", "USGS-MCS25-GE",
          "US imports less China's, by the 2020-23 shares of the other sources (rule GG-F)")
    t("US", "RW", "germanium", US_GE_EXPORTS, "8112.92", "R*", "USGS-MCS25-GE", "")
    t("CA", "RW", "germanium", GE_OTHER["CA"] - us_rest * US_GE_OTHERS["CA"] / tot, "8112.92",
      "E", "RULES", "rule GG-F")

    # Recipes.
    def rec(out, inp, c, lo, hi, status, source, note):
        recipes.append([out, inp, c, "input_per_output", "", lo, hi, status, source, note])
    rec("ga_refined", "ga_primary", REFINE_PER_KG, 1.02, 1.11, "E", "RULES",
        "kg of low-purity gallium per kg of high-purity (rule GG-D)")
    for use in GA_REFINED_USES:
        rec(use, "ga_refined", 1.0, 1.0, 1.0, "D", "RULES", "kg per kg (rule GG-G)")
    rec("ga_other", "ga_primary", 1.0, 1.0, 1.0, "D", "RULES", "kg per kg (rule GG-G)")
    for use in GE_USES:
        rec(use, "germanium", 1.0, 1.0, 1.0, "D", "RULES", "kg per kg (rule GG-G)")

    # Uses: what each region absorbs beyond its refiners' needs (rule GG-G).
    absorbed, needs = {}, {}
    for row in prod:
        absorbed[(row[0], row[1])] = absorbed.get((row[0], row[1]), 0) + row[2]
    for row in trade:
        absorbed[(row[1], row[2])] = absorbed.get((row[1], row[2]), 0) + row[3]
        absorbed[(row[0], row[2])] = absorbed.get((row[0], row[2]), 0) - row[3]
    for row in prod:
        if row[1] == "ga_refined" and row[4] != "recycled":
            key = (row[0], "ga_primary")
            needs[key] = needs.get(key, 0) + row[2] * REFINE_PER_KG
    for (reg, product), q in sorted(absorbed.items()):
        left = q - needs.get((reg, product), 0)
        if product == "alumina":
            continue  # a final use of its own: alumina to smelters
        if left < -0.05:
            raise SystemExit(f"{reg} {product}: short by {-left}")
        split = {"ga_primary": {"ga_other": 1.0}, "ga_refined": GA_REFINED_USES,
                 "germanium": GE_USES}[product]
        for use, s in split.items():
            p(reg, use, int(left * s * 10) / 10, "E", "RULES", "absorbed, split by rule GG-G")

    # The recycling loops (docs/model.md §1.9): new scrap per kg of gallium in the
    # region's integrated circuits.
    for reg, q in GA_SECONDARY.items():
        semis = next(r[2] for r in prod if r[0] == reg and r[1] == "ga_semiconductors")
        joint.append(["ga_semiconductors", "ga_refined", round(q / semis, 6), reg, "recycled", "E",
                      "RULES", "new scrap refined per kg of gallium in wafers made (rule GG-D)"])
    write(OUT, {"production.csv": prod, "trade.csv": trade, "recipes.csv": recipes,
                "stocks.csv": [], "joint.csv": joint})
    ga_world = sum(GA_PRIMARY.values())
    print(f"gallium primary {ga_world:,} kg, China {GA_PRIMARY['CN'] / ga_world:.1%}; yield {GA_YIELD} kg/t")
    print(f"China exports: gallium {CN_GA_EXPORTS:,.0f} kg, germanium {CN_GE_EXPORTS:,.0f} kg")
    print(f"refined gallium {sum(refined.values()) + sum(GA_SECONDARY.values()):,.0f} kg")


if __name__ == "__main__":
    main()
