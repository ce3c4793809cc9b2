#!/usr/bin/env python3
"""Writes the derived tables of the embedded dataset `antimony_2024` (docs/data.md,
"antimony_2024", rules SB-A to SB-H).

Every sourced figure is a constant below with its source key and status; every derived
figure is computed here by the rule docs/data.md names, so a reviewer can check the
arithmetic in one place. Quantities are tonnes of antimony content (t Sb). The script writes

    data/antimony_2024/production.csv, trade.csv, recipes.csv, stocks.csv

and prints the headline figures. `regions.csv`, `products.csv` and `sources.csv` are
written by hand. Run: python3 scripts/antimony_2024.py
The library and its tests read the CSV files; they never run Python.
"""

import os

from datasets_common import r1, write

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "antimony_2024")

SB_IN_OXIDE = 2 * 121.760 / (2 * 121.760 + 3 * 15.999)  # t Sb per t Sb2O3 (0.8353)
RECOVERY = 0.95  # t Sb in metal per t Sb in ore (rule SB-C, E)

# --- Mining, t Sb, 2024e (USGS MCS 2025, antimony, world mine production table) -----
MINES = {
    "CN": 60_000, "TJ": 17_000, "RU": 13_000, "MM": 4_500, "BO": 3_700, "AU": 2_000,
}
# Turkey 1,600, Mexico 800, Iran 500, Vietnam 300, Pakistan 250, Laos 200, Guatemala 50,
# Kazakhstan 40, Kyrgyzstan 20.
MINES_RW = 1_600 + 800 + 500 + 300 + 250 + 200 + 50 + 40 + 20

# --- China's exports before the controls (rule SB-D) ---------------------------------
# January-August 2024, gross tonnes (REUTERS-SB-2024 for the total, METALNOMIST-SB-2024
# for the split): total 29,379; unwrought metal 2,384; oxide 23,483.
JAN_AUG_TOTAL, JAN_AUG_METAL, JAN_AUG_OXIDE = 29_379, 2_384, 23_483
ANNUAL = 12 / 8
CN_METAL_EXPORTS = JAN_AUG_METAL * ANNUAL  # metal >= 99.65% Sb: gross taken as Sb
CN_OXIDE_EXPORTS = JAN_AUG_OXIDE * ANNUAL * SB_IN_OXIDE
# Destination shares of China's antimony exports: US 29%, VN 14%, JP 10% in August 2024
# (REUTERS-SB-2024); the others are estimates (rule SB-D): KR from the 2020 shares of
# oxide (8.8%) and metal (15.6%) (JOGMEC-SB-2021), NL from 2023 (3,012 t of 50,900 t,
# REUTERS-SB-2025), BE from Campine's "less than 5%" of 10-12 kt, GB a placeholder, the
# rest (Vietnam, India, Taiwan, Malaysia, Thailand, Mexico and others) the rest of world.
CN_SHARES = {"US": 0.29, "JP": 0.10, "KR": 0.09, "NL": 0.05, "BE": 0.015, "GB": 0.01}
CN_SHARES["RW"] = 1.0 - sum(CN_SHARES.values())

# --- The US (USGS MCS 2025, salient statistics 2024e, t Sb) ---------------------------
US_OXIDE_IMPORTS, US_METAL_IMPORTS = 20_000, 4_100
US_OXIDE_EXPORTS, US_METAL_EXPORTS = 2_200, 1_500
US_SECONDARY = 3_500  # antimonial lead from spent batteries (secondary smelter output)
# Import sources 2020-23: oxide China 76, Belgium 11, Bolivia 6, other 7; unwrought metal
# and powder India 25, China 24, Thailand 13, Vietnam 12, other 26 (only China is a
# region of its own among the metal sources; the rest is the rest of the world).
US_OXIDE_OTHERS = {"BE": 11, "BO": 6, "RW": 7}
# End uses 2024: metal products (antimonial lead and ammunition) 40%, flame retardants
# 39%, nonmetal products (ceramics, glass, rubber) 21%.

# --- Ore to China (rule SB-B) ---------------------------------------------------------
# China's imports of ores and concentrates were 32,054 t gross in January-July 2024
# (CHINA-ORE-2024); Russia's 278 t; Thailand 31% (re-exports: Thailand mines none).
ORE_TO_CN = {"MM": 4_500, "AU": 2_000, "TJ": 12_000, "RU": 278 * 12 / 7 * 0.5, "RW": 2_000}
TJ_SMELTER = 5_000  # Tajikistan's smelter capacity, t/yr (CMR-2018), fed by its own ore

# --- China's refining (rule SB-C) -----------------------------------------------------
CN_TRIOXIDE_GROSS = 91_700  # CNIA-2025 (via Metalnomist), 2024
CN_METAL_CNIA = 66_534  # CNIA-2025: ingot, a check, not an input (rule SB-C)
CN_METAL_USE = 8_000  # E: China's own use of metal (lead-acid, alloys), no source

# --- Belgium (rule SB-E) --------------------------------------------------------------
BE_USE = 11_000  # Campine "uses 10-12 kt a year" (CAMPINE-2024), midpoint
BE_RECYCLED_SHARE = 0.15  # "about 15% recycled in-house" (CAMPINE-2024)

# --- Uses (rule SB-F): shares of what a region absorbs, by form -----------------------
METAL_USES = {"lead_acid": 0.9, "defence": 0.1}
OXIDE_USES = {"flame_retardants": 0.6, "glass_other": 0.4}
CN_OXIDE_USES = {"flame_retardants": 0.5, "glass_other": 0.5}
US_OXIDE_USES = {"flame_retardants": 39 / 60, "glass_other": 21 / 60}  # USGS 39% and 21%
US_DEFENCE = 1_500  # E: ammunition within the US's metal products (no split published)


def main():
    prod, trade, recipes, stocks = [], [], [], []

    def p(region, product, qty, status, source, note, capacity="", item=""):
        prod.append([region, product, r1(qty), capacity, item, status, source, note])

    def t(a, b, product, qty, hs, status, source, note):
        if qty > 0:
            trade.append([a, b, product, r1(qty), hs, status, source, note])

    # Mining.
    for reg, q in MINES.items():
        p(reg, "sb_ore", q, "R*", "USGS-MCS25-SB", "")
    p("RW", "sb_ore", MINES_RW, "D", "USGS-MCS25-SB",
      "Turkey, Mexico, Iran, Vietnam, Pakistan, Laos, Guatemala, Kazakhstan, Kyrgyzstan")

    # Ore trade.
    for reg, q in ORE_TO_CN.items():
        status, note = "E", "rule SB-B"
        if reg == "RU":
            status, note = "D", "278 t gross in Jan-Jul 2024 x 12/7 x 0.5 t Sb/t (rule SB-B)"
        t(reg, "CN", "sb_ore", q, "2617.10", status, "CHINA-ORE-2024", note)
    ru_rest = MINES["RU"] - ORE_TO_CN["RU"]
    t("RU", "RW", "sb_ore", ru_rest, "2617.10", "E", "RULES",
      "Russia's ore not sent to China, to smelters elsewhere (rule SB-B)")
    tj_rest = MINES["TJ"] - ORE_TO_CN["TJ"] - TJ_SMELTER
    t("TJ", "RW", "sb_ore", tj_rest, "2617.10", "E", "RULES", "rule SB-B")

    # China's exports.
    cn_exp = {}
    for reg, s in CN_SHARES.items():
        cn_exp[reg] = (CN_METAL_EXPORTS * s, CN_OXIDE_EXPORTS * s)
        status = "D" if reg in ("US", "JP") else "E"
        src = "REUTERS-SB-2024"
        t("CN", reg, "sb_metal", CN_METAL_EXPORTS * s, "8110.10", status, src,
          f"Jan-Aug 2024 metal x 12/8, {s:.1%} of China's exports (rule SB-D)")
        t("CN", reg, "sb_trioxide", CN_OXIDE_EXPORTS * s, "2825.80", status, src,
          f"Jan-Aug 2024 oxide x 12/8 x 0.835 t Sb/t, {s:.1%} (rule SB-D)")

    # The US's other sources.
    us_oxide_rest = US_OXIDE_IMPORTS - cn_exp["US"][1]
    tot = sum(US_OXIDE_OTHERS.values())
    us_oxide = {r: us_oxide_rest * w / tot for r, w in US_OXIDE_OTHERS.items()}
    for reg, q in us_oxide.items():
        t(reg, "US", "sb_trioxide", q, "2825.80", "D", "USGS-MCS25-SB",
          "US oxide imports less China's, by the 2020-23 shares of the other sources (rule SB-D)")
    us_metal_rest = US_METAL_IMPORTS - cn_exp["US"][0]
    t("RW", "US", "sb_metal", us_metal_rest, "8110.10", "D", "USGS-MCS25-SB",
      "US metal imports less China's: India, Thailand, Vietnam and others (rule SB-D)")
    t("US", "RW", "sb_trioxide", US_OXIDE_EXPORTS, "2825.80", "R*", "USGS-MCS25-SB", "")
    t("US", "RW", "sb_metal", US_METAL_EXPORTS, "8110.10", "R*", "USGS-MCS25-SB", "")

    # Belgium: Campine's trioxide from metal, recycled in part.
    be_recycled = BE_USE * BE_RECYCLED_SHARE
    be_metal_imports = BE_USE - be_recycled - cn_exp["BE"][0]
    tj_metal = TJ_SMELTER * RECOVERY
    t("TJ", "BE", "sb_metal", tj_metal, "8110.10", "E", "RULES",
      "Tajikistan's smelter output to Belgium (rule SB-E)")
    t("RW", "BE", "sb_metal", be_metal_imports - tj_metal, "8110.10", "E", "RULES",
      "the rest of Campine's metal (rule SB-E)")
    be_exports = {"US": us_oxide["BE"], "NL": 1_000, "GB": 500, "RW": 2_000}
    for reg, q in be_exports.items():
        if reg != "US":
            t("BE", reg, "sb_trioxide", q, "2825.80", "E", "RULES",
              "Campine to European users (rule SB-E)")

    # Bolivia: its ore smelted at home; oxide to the US, the rest of its metal out.
    bo_metal = MINES["BO"] * RECOVERY
    t("BO", "RW", "sb_metal", bo_metal - us_oxide["BO"], "8110.10", "E", "RULES", "rule SB-B")

    # Production of metal and trioxide (rule SB-C), region by region.
    cn_trioxide = CN_TRIOXIDE_GROSS * SB_IN_OXIDE
    cn_metal = cn_trioxide + CN_METAL_EXPORTS + CN_METAL_USE
    p("CN", "sb_trioxide", cn_trioxide, "D", "CNIA-2025", "91,700 t Sb2O3 x 0.835 (rule SB-C)")
    p("CN", "sb_metal", cn_metal, "D", "CNIA-2025",
      "its trioxide's antimony, metal exports and own use; CNIA's ingot 66,534 t is a part (rule SB-C)")
    p("TJ", "sb_metal", tj_metal, "E", "CMR-2018", "5,000 t/yr smelter at full use x 0.95 (rule SB-C)")
    p("BO", "sb_metal", bo_metal, "E", "RULES", "its mine output smelted at home x 0.95 (rule SB-C)")
    p("BO", "sb_trioxide", us_oxide["BO"], "E", "RULES", "what it sends the US (rule SB-D)")
    p("BE", "sb_metal", be_recycled, "S", "CAMPINE-2024", "15% of its use recycled in-house (rule SB-E)",
      item="secondary")
    p("BE", "sb_trioxide", BE_USE, "S", "CAMPINE-2024", "Campine uses 10-12 kt a year: midpoint (rule SB-E)")
    p("US", "sb_metal", US_SECONDARY, "R*", "USGS-MCS25-SB",
      "secondary: antimonial lead from spent batteries", item="secondary")
    # Rest of world: smelts the ore it mines and receives; makes the oxide it exports and
    # uses beyond what it imports (rule SB-C).
    rw_ore = MINES_RW - ORE_TO_CN["RW"] + ru_rest + tj_rest
    rw_metal = rw_ore * RECOVERY
    p("RW", "sb_metal", rw_metal, "E", "RULES", "its ore smelted x 0.95 (rule SB-C)",
      capacity=r1(rw_metal + 20_000))
    rw_oxide_out = us_oxide["RW"]
    rw_trioxide = rw_oxide_out + 3_000
    p("RW", "sb_trioxide", rw_trioxide, "E", "RULES",
      "its oxide to the US and 3,000 t for its own users (rule SB-C)")
    # Japan: Nihon Seiko's products from imported metal (JMD-2023: about 4,500 t a year).
    jp_trioxide = 4_500 - cn_exp["JP"][1]
    t("RW", "JP", "sb_metal", jp_trioxide, "8110.10", "E", "JMD-2023",
      "metal for Nihon Seiko's oxide beyond China's oxide (rule SB-E)")
    p("JP", "sb_trioxide", jp_trioxide, "E", "JMD-2023",
      "Nihon Seiko about 4,500 t of products less China's oxide to Japan (rule SB-E)")

    # Recipes (rule SB-C): t Sb of input per t Sb of output.
    def rec(out, inp, c, lo, hi, status, source, note, region=""):
        recipes.append([out, inp, c, "input_per_output", region, lo, hi, status, source, note])

    rec("sb_metal", "sb_ore", r1(1 / RECOVERY * 1e4) / 1e4, 1.02, 1.15, "E", "RULES",
        "1 / 0.95 recovery in smelting (rule SB-C)")
    rec("sb_trioxide", "sb_metal", 1.0, 1.0, 1.05, "E", "RULES",
        "antimony conserved; the direct route from concentrate counted as through metal (rule SB-C)")
    for use in ("lead_acid", "defence"):
        rec(use, "sb_metal", 1.0, 1.0, 1.0, "D", "RULES", "t Sb per t Sb in the use (rule SB-F)")
    for use in ("flame_retardants", "glass_other"):
        rec(use, "sb_trioxide", 1.0, 1.0, 1.0, "D", "RULES", "t Sb per t Sb in the use (rule SB-F)")

    # Uses: what each region absorbs, split by form (rule SB-F).
    absorbed = {}
    def add(reg, product, q):
        absorbed[(reg, product)] = absorbed.get((reg, product), 0.0) + q
    for row in prod:
        add(row[0], row[1], row[2])
    for row in trade:
        add(row[1], row[2], row[3])
        add(row[0], row[2], -row[3])
    needs = {}
    for row in prod:
        reg, product, q = row[0], row[1], row[2]
        for rc in recipes:
            if rc[0] == product and rc[4] in ("", reg):
                needs[(reg, rc[1])] = needs.get((reg, rc[1]), 0.0) + q * rc[2]
    uses = []
    for (reg, product), q in sorted(absorbed.items()):
        if product == "sb_ore":
            continue
        left = q - needs.get((reg, product), 0.0)
        if left < -0.05:
            raise SystemExit(f"{reg} {product}: absorbs {q}, needs more")
        if product == "sb_metal":
            if reg == "US":
                split = {"defence": US_DEFENCE / left, "lead_acid": 1 - US_DEFENCE / left}
            else:
                split = METAL_USES
        else:
            split = {"CN": CN_OXIDE_USES, "US": US_OXIDE_USES}.get(reg, OXIDE_USES)
        for use, s in split.items():
            qty = int(left * s * 10) / 10  # down to 0.1 t: no negative residual
            if qty > 0:
                uses.append((reg, use, qty, product))
    for reg, use, qty, product in uses:
        p(reg, use, qty, "E", "RULES", f"{product.replace('sb_', '')} absorbed, split by rule SB-F")

    ore_need = sum(q for (reg, inp), q in needs.items() if inp == "sb_ore" and reg == "CN")
    ore_have = absorbed[("CN", "sb_ore")]
    write(OUT, {"production.csv": prod, "trade.csv": trade, "recipes.csv": recipes,
                "stocks.csv": stocks})
    print(f"China trioxide {cn_trioxide:,.0f} t Sb, metal {cn_metal:,.0f} (CNIA ingot {CN_METAL_CNIA:,})")
    print(f"China ore: recorded {ore_have:,.0f}, needed {ore_need:,.0f}, closed {ore_need - ore_have:,.0f}")
    print(f"China exports: metal {CN_METAL_EXPORTS:,.0f}, oxide {CN_OXIDE_EXPORTS:,.0f} t Sb")
    world = sum(MINES.values()) + MINES_RW
    print(f"mine: world {world:,}, China {MINES['CN'] / world:.1%}")


if __name__ == "__main__":
    main()
