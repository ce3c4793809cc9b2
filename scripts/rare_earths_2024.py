#!/usr/bin/env python3
"""Writes the derived tables of the embedded dataset `rare_earths_2024` (docs/data.md).

Every sourced figure is a constant below with its source key and status; every derived
figure is computed here by the rule that docs/data.md names (A to P), so a reviewer can
check the arithmetic in one place. The script writes

    data/rare_earths_2024/production.csv, trade.csv, recipes.csv, stocks.csv, joint.csv

and prints the headline figures of docs/data.md. `regions.csv`, `products.csv` and
`sources.csv` are written by hand. Run: python3 scripts/rare_earths_2024.py
The library and its tests read the CSV files; they never run Python.
"""

import csv
import io
import math
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "rare_earths_2024")

BLOC = ["US", "JP", "SG", "KR", "GB", "NL", "AE", "AU", "IL"]

# --- Mining, t REO, 2024 (USGS MCS 2025) -------------------------------------------
CHINA_QUOTA = 270_000  # USGS-MCS25-REE, R*
CHINA_HEAVY = 19_000  # ion-adsorption (medium/heavy) quota, REUTERS-IAC-2024, S (rule A)
MINES = {  # region: (product, t REO, status, source, note)
    "US": ("re_ore_light", 45_000, "R*", "USGS-MCS25-REE", ""),
    "MM": ("re_ore_heavy", 31_000, "R*", "USGS-MCS25-REE", "classed as heavy feed (ionic clay)"),
    "AU": ("re_ore_light", 13_000, "R*", "USGS-MCS25-REE",
           "Lynas basis: REO after La/Ce rejection (rule M)"),
    "TH": ("re_ore_light", 13_000, "R*", "USGS-MCS25-REE", ""),
    "IN": ("re_ore_light", 2_900, "R*", "USGS-MCS25-REE", ""),
    "RU": ("re_ore_light", 2_500, "R*", "USGS-MCS25-REE", ""),
    "VN": ("re_ore_light", 300, "R*", "USGS-MCS25-REE", ""),
    "MY": ("re_ore_light", 130, "R*", "USGS-MCS25-REE", ""),
    "BR": ("re_ore_light", 20, "R*", "USGS-MCS25-REE", ""),
    "LA": ("re_ore_heavy", 1_100, "E", "USGS-MCS25-REE", "USGS 'other' row assigned to Laos (rule B)"),
    "RW": ("re_ore_light", 15_000, "R*", "USGS-MCS25-REE", "Nigeria 13,000 + Madagascar 2,000"),
}
ORE_TRADE = [  # exporter, importer, product, t REO, hs, status, source, note
    ("US", "CN", "re_ore_light", 33_000, "2530.90", "E", "SMM-2024",
     "55,000 t bastnaesite concentrate x 0.60 t REO/t (rule C)"),
    ("AU", "MY", "re_ore_light", 13_000, "2530.90", "E", "USGS-MCS25-REE",
     "all Australian output processed by Lynas in Malaysia (rule E)"),
    ("TH", "CN", "re_ore_light", 13_000, "2612.20", "E", "GITI-2023", "all Thai monazite to China (rule E)"),
    ("RW", "CN", "re_ore_light", 12_000, "2612.20", "E", "GITI-2023",
     "Madagascar and Nigeria monazite to China (rule E)"),
    ("RW", "EE", "re_ore_light", 2_800, "2846.90", "E", "RULES", "feed for Silmet separation (rule E)"),
    ("MM", "CN", "re_ore_heavy", 31_000, "2846.90", "E", "GITI-2023", "all Myanmar output to China (rule E)"),
    ("LA", "CN", "re_ore_heavy", 1_100, "2846.90", "E", "GITI-2023", "Laos MREC to China (rule E)"),
]

# --- Separation (rule F, K) ------------------------------------------------------------
NDPR_CHINA = 106_000  # ARGUS-2025, S: PrNd oxide output, recycling included
DYTB_CHINA = 4_150  # ARGUS-2025, S: Dy oxide 3,500 + Tb oxide 650, recycling included
RECYCLED_NDPR = 26_504  # ARGUS-SCRAP-2025, S: PrNd oxide from NdFeB scrap, 2024
RECYCLED_DYTB = 710 + 160  # ARGUS-SCRAP-2025, S: Dy oxide 710 + Tb oxide 160
NDPR_YIELD = 0.18  # t NdPr oxide per t REO of light feed (rule F, E)
NDPR_IN_HEAVY = 0.18  # t NdPr oxide per t REO of heavy feed (rule K, E; 0.10-0.25)
LYNAS_FY24, LYNAS_FY25 = 5_655, 6_558  # LYNAS-FY24, LYNAS-FY25: NdPr t, fiscal years
LYNAS_REO_FY24 = 10_908  # LYNAS-FY24: REO produced, after La/Ce rejection
LYNAS_CAPACITY = 10_500  # LYNAS-FY25, S: NdPr t/yr
MP_NDPR = 1_294  # MP-2024, S
# --- Metal, alloy, magnets (rules F, N) --------------------------------------------------
METAL_PER_OXIDE = 0.857  # HEIM-2023, D: stoichiometric
METAL_CHINA = 88_000  # ARGUS-2025, S
METAL_USE_CHINA = 80_000  # ARGUS-2025, S
BLANKS_CHINA = 300_000  # ARGUS-2025 (ACREI), S: sintered blanks
SCRAP_SHARE = 0.25  # ARGUS-SCRAP-2025, S: scrap 25-30% of China's magnet output (rule N)
EXPORTS_CHINA = 58_152  # ADAMAS-2024, S: finished magnets, HS 8505.11
ALLOY_TO_JAPAN = 5_400  # IBNEWS-2025, E: ~400-500 t a month of NdFeB alloy and powder (rule H)

# Magnet makers outside China, t of finished magnets (rule G, E).
MAGNET_MAKERS = {"JP": 14_516, "VN": 2_200, "DE": 2_581, "KR": 1_200, "PH": 800, "RW": 1_226}

# China's magnet exports by destination, t (rule D'): customs where the 2025 monthly data
# give 2024, the 2020 shares (rule D) or rule H otherwise.
CN_MAGNETS = [  # importer, t, status, source, note
    ("US", 7_444, "D", "REUTERS-2026-US", "5,933 t in 2025 at -20.3% y/y; monthly 2025 data give 7,260-7,444"),
    ("JP", 2_300, "E", "ASIACITY-2025", "2025 months with their y/y changes give 2,100-2,500 t (rule D')"),
    ("DE", 11_000, "E", "IBNEWS-2025", "2025 months with their y/y changes give 10,000-12,000 t (rule D')"),
    ("KR", 5_400, "E", "ASIACITY-2025", "2025 months with their y/y changes give 5,200-5,600 t (rule D')"),
    ("VN", 4_600, "E", "ASIACITY-2025", "September 2025 with its y/y change (rule D')"),
    ("IN", 3_100, "E", "IBNEWS-2025", "July 2025 with its y/y change (rule D')"),
    ("TH", 3_672, "D", "ARGUS-2020-DEST", "2020 share 6.3% x 2024 total (rule D)"),
    ("NL", 1_500, "E", "RULES", "rule H; partly re-exported through Rotterdam"),
    ("GB", 1_200, "E", "RULES", "rule H"),
    ("FR", 1_000, "E", "RULES", "rule H"),
    ("TW", 1_000, "E", "RULES", "rule H"),
    ("MY", 800, "E", "RULES", "rule H"),
    ("PH", 600, "E", "RULES", "rule H"),
    ("SG", 300, "E", "RULES", "rule H"),
    ("AE", 300, "E", "RULES", "rule H"),
    ("AU", 300, "E", "RULES", "rule H"),
    ("IL", 200, "E", "RULES", "rule H"),
    ("EE", 100, "E", "RULES", "rule H"),
    ("BR", 500, "E", "RULES", "rule H"),
]
OTHER_MAGNETS = [  # exporter, importer, t, status, source, note
    ("NL", "DE", 500, "E", "RULES", "re-export through Rotterdam (rule H)"),
    ("JP", "US", 1_200, "E", "KITA-2023", "rule H"),
    ("JP", "KR", 628, "E", "KITA-2023", "rule H"),
    ("JP", "DE", 300, "E", "RULES", "rule H"),
    ("VN", "JP", 1_400, "E", "KITA-2023", "Japanese-owned plants in Vietnam (rule H)"),
    ("VN", "US", 400, "E", "RULES", "rule H"),
    ("PH", "JP", 500, "E", "KITA-2023", "Japanese-owned plants in the Philippines (rule H)"),
    ("PH", "US", 300, "E", "RULES", "rule H"),
    ("DE", "US", 300, "E", "RULES", "rule H"),
    ("DE", "KR", 200, "E", "RULES", "rule H"),
]

# --- Uses (rules I and O) --------------------------------------------------------------
MAGNET_PER_MOTOR = 0.0014  # MP-10K-2024, D
MAGNET_PER_MW = 0.5  # HEIM-2023, S
# Share of each use's magnets that are Dy/Tb-bearing grades (rule O, E).
HC_SHARE = {"ev_motor": 0.9, "wind_pm_mw": 0.5, "defence_magnets": 1.0, "industrial_electronics": 0.3}
# Each region's split of its magnets across uses (rule I'): EV traction from the electric
# cars made there at 2.5 kg of NdFeB each (D: ACREI's 43,018 t for NEVs in 2024 over the
# IEA's ~17 million electric cars sold), PM wind from the region's 2024 installations,
# defence from the US figure; industrial and electronics the rest; regions not named take
# the world split (EV 11.5%, wind 11%, defence 0.1%; rule I of the first edition).
KG_PER_EV = 2.5
EVS_MADE = {  # region: (electric cars made in 2024, status, source)
    "CN": (12_890_000, "S", "CAAM-2025"),
    "DE": (1_350_000, "S", "VDA-2025"),
    "US": (1_040_000, "E", "VDA-2026"),  # 2025 production as the proxy: 2024 not found
    "KR": (450_000, "E", "MOTIE-2025"),  # 142,000 sold at home + ~310,000 exported (derived)
}
WIND_PM_T = {  # region: t of NdFeB in 2024's permanent-magnet wind installations
    "CN": 4_848,  # ACREI via Metalnomist, S
    "DE": 3_993 * 0.3 * 0.65,  # GW installed x PM share (E) x 0.65 t/MW (HEIM-2023)
    "US": 3_900 * 0.05 * 0.65,
    "JP": 660 * 0.3 * 0.65,
}
DEFENCE_T = {"US": 175}  # DOD-2012 via Bloomberg, S: t of NdFeB a year in US weapons
WORLD_SPLIT = {"ev_motor": 0.115, "wind_pm_mw": 0.11, "defence_magnets": 0.001}
JAPAN_TRACTION = 0.20  # E: hybrid and electric traction share of Japan's magnets (no source)
USES = ["ev_motor", "wind_pm_mw", "defence_magnets", "industrial_electronics"]

# --- Stocks (rule J) ---------------------------------------------------------------------
JOGMEC_DAYS = 60
KOREA_ND_DAYS = 180
KOREA_DYTB_DAYS = 100
FIRM_MAGNET_DAYS = 56


def up(x, digits=1):
    """Rounded up: a flow or output sized to a need never falls short of it by rounding."""
    f = 10**digits
    return math.ceil(x * f - 1e-9) / f


SPLITS = {}


def set_splits(absorption):
    """Each region's use split from its absorption of magnets (rule I')."""
    for r, m in absorption.items():
        if m <= 0:
            continue
        named = r in EVS_MADE or r in WIND_PM_T or r in DEFENCE_T or r == "JP"
        if not named:
            SPLITS[r] = dict(WORLD_SPLIT)
            continue
        ev = (EVS_MADE[r][0] * KG_PER_EV / 1000 / m if r in EVS_MADE
              else JAPAN_TRACTION if r == "JP" else WORLD_SPLIT["ev_motor"])
        wind = WIND_PM_T.get(r, WORLD_SPLIT["wind_pm_mw"] * m) / m
        defence = DEFENCE_T.get(r, WORLD_SPLIT["defence_magnets"] * m) / m
        SPLITS[r] = {"ev_motor": ev, "wind_pm_mw": wind, "defence_magnets": defence}


def split(region):
    s = dict(SPLITS[region])
    s["industrial_electronics"] = 1.0 - sum(s.values())
    return s


def hc_share(region):
    s = split(region)
    return sum(s[u] * HC_SHARE[u] for u in USES)


def main():
    regions = [r["code"] for r in csv.DictReader(open(os.path.join(OUT, "regions.csv")))]
    prod, trade, recipes, stocks, joint = [], [], [], [], []

    # Mining (rule A).
    prod.append(("CN", "re_ore_light", CHINA_QUOTA - CHINA_HEAVY, "", "", "D", "USGS-MCS25-REE",
                 "270,000 t quota less the 19,000 t ion-adsorption quota (rule A)"))
    prod.append(("CN", "re_ore_heavy", CHINA_HEAVY, "", "", "S", "REUTERS-IAC-2024",
                 "ion-adsorption (medium/heavy) mining quota (rule A)"))
    for r, (p, q, st, src, note) in MINES.items():
        cap = ""
        if r == "AU":
            cap = round(LYNAS_CAPACITY / (LYNAS_FY24 / LYNAS_REO_FY24)) - MINES["MY"][1]
            note = note + f"; capacity {cap:,} t: Lynas's 10,500 t NdPr at its basket (rule M)"
        prod.append((r, p, q, cap, "", st, src, note))
    trade += [t for t in ORE_TRADE]

    # China's separation: producers from recorded and unrecorded light feed, a co-product
    # from heavy feed, recycling (rule K).
    recorded_light = CHINA_QUOTA - CHINA_HEAVY + sum(
        q for (e, i, p, q, *_r) in ORE_TRADE if i == "CN" and p == "re_ore_light")
    heavy_feed = CHINA_HEAVY + sum(q for (e, i, p, q, *_r) in ORE_TRADE if i == "CN" and p == "re_ore_heavy")
    ndpr_heavy = NDPR_IN_HEAVY * heavy_feed
    ndpr_light = NDPR_CHINA - RECYCLED_NDPR - ndpr_heavy
    unrecorded = math.ceil(ndpr_light / NDPR_YIELD - recorded_light)
    dytb_primary = DYTB_CHINA - RECYCLED_DYTB
    dytb_yield = dytb_primary / heavy_feed
    prod.append(("CN", "re_ore_light", round(unrecorded), "", "secondary", "E", "RULES",
                 "unrecorded mining and stock change: what China's primary NdPr needs beyond recorded feed (rule K)"))
    prod.append(("CN", "ndpr_oxide", ndpr_light, "", "", "D", "ARGUS-2025",
                 "106,000 t less recycling and the heavy-feed co-product (rule K)"))
    prod.append(("CN", "ndpr_oxide", ndpr_heavy, "", "coproduct", "E", "RULES",
                 f"NdPr in {heavy_feed:,.0f} t REO of heavy feed at {NDPR_IN_HEAVY} (rule K)"))
    prod.append(("CN", "ndpr_oxide", RECYCLED_NDPR, "", "recycled", "S", "ARGUS-SCRAP-2025",
                 "PrNd oxide recovered from NdFeB scrap, 2024"))
    prod.append(("CN", "dytb_oxide", dytb_primary, "", "", "D", "ARGUS-2025",
                 "4,150 t less 870 t recycled (rule K)"))
    prod.append(("CN", "dytb_oxide", RECYCLED_DYTB, "", "recycled", "S", "ARGUS-SCRAP-2025",
                 "Dy oxide 710 + Tb oxide 160 recovered from NdFeB scrap, 2024"))
    recipes.append(("ndpr_oxide", "re_ore_light", NDPR_YIELD, "yield", "", 0.144, 0.198, "E", "RULES",
                    "0.20 t NdPr oxide per t REO x 0.90 recovery (rule F)"))
    recipes.append(("dytb_oxide", "re_ore_heavy", up(dytb_yield, 6), "yield", "CN", 0.055, 0.07, "D", "ARGUS-2025",
                    f"{dytb_primary:,} t primary Dy/Tb oxide from {heavy_feed:,.0f} t REO of heavy feed (rule K)"))
    lynas_basket = LYNAS_FY24 / LYNAS_REO_FY24
    recipes.append(("ndpr_oxide", "re_ore_light", round(lynas_basket, 4), "yield", "MY", 0.45, 0.55, "D", "LYNAS-FY24",
                    "5,655 t NdPr / 10,908 t REO after La/Ce rejection (rule M)"))
    my_ndpr = (LYNAS_FY24 + LYNAS_FY25) / 2
    prod.append(("MY", "ndpr_oxide", my_ndpr, LYNAS_CAPACITY, "", "D", "LYNAS-FY25",
                 "calendar 2024: mean of FY24 5,655 t and FY25 6,558 t (rule M); capacity 10,500 t/yr"))
    prod.append(("US", "ndpr_oxide", MP_NDPR, "", "", "S", "MP-2024", ""))
    prod.append(("EE", "ndpr_oxide", 300, 600, "", "E", "ARGUS-NEO", "Silmet 3,000 t/yr light-REE capacity x 20% NdPr (rule G)"))
    prod.append(("RU", "ndpr_oxide", 400, "", "", "E", "RULES", "'others ~1 kt' split (rule G)"))
    prod.append(("IN", "ndpr_oxide", 300, "", "", "E", "RULES", "'others ~1 kt' split (rule G)"))
    prod.append(("MY", "dytb_oxide", 0, 0, "", "S", "LYNAS-FY25",
                 "first separated Dy outside China in May 2025: none in 2024 (capacity additions in scenarios)"))
    joint.append(("dytb_oxide", "ndpr_oxide", up(ndpr_heavy / dytb_primary, 4), "CN", "coproduct", "E", "RULES",
                  "NdPr per t of Dy/Tb from heavy feed: the heavy line's level is set by its Dy/Tb (rule K)"))

    # Magnets on a finished basis (rule N): China's blanks less scrap.
    finished_cn = BLANKS_CHINA * (1 - SCRAP_SHARE)
    makers = dict(MAGNET_MAKERS)
    makers["CN"] = finished_cn
    flows = [("CN", i, q, st, src, note) for (i, q, st, src, note) in CN_MAGNETS]
    rest = EXPORTS_CHINA - sum(q for (_, _, q, *_r) in flows)
    flows.append(("CN", "RW", rest, "D", "ADAMAS-2024", "remainder of 58,152 t (rule H)"))
    flows += OTHER_MAGNETS
    exports = {r: 0.0 for r in regions}
    imports = {r: 0.0 for r in regions}
    for (e, i, q, *_r) in flows:
        exports[e] += q
        imports[i] += q
    absorption = {r: makers.get(r, 0.0) - exports[r] + imports[r] for r in regions}
    set_splits(absorption)
    # Grade of every flow and of what a maker keeps: the importer's use mix, or for a
    # re-export the hub's (rule O).
    hc = {r: hc_share(r) for r in regions if absorption[r] > 0}
    grades = ("ndfeb_magnet_dy", "ndfeb_magnet_free")
    out = {g: {r: 0.0 for r in regions} for g in grades}
    absorbed = {g: {r: 0.0 for r in regions} for g in grades}
    # A hub that re-exports (the Netherlands) imports the mix of its own use and of what it
    # passes on, so that every region absorbs its own mix.
    passed = {}
    for (e, i, q, *_r) in flows:
        if e not in makers:
            passed.setdefault(e, []).append((i, q))

    def mix(i):
        if i not in passed:
            return hc[i]
        through = sum(q for (_, q) in passed[i])
        return (absorption[i] * hc[i] + sum(q * hc[d] for (d, q) in passed[i])) / (absorption[i] + through)

    for (e, i, q, st, src, note) in flows:
        share = mix(i)
        dy = q * share
        for g, qg, sh in (("ndfeb_magnet_dy", dy, share), ("ndfeb_magnet_free", q - dy, 1 - share)):
            if qg > 0:
                trade.append((e, i, g, repr(qg), "8505.11", st, src,
                              f"{note}; {sh:.0%} of the flow in this grade (rule O)"))
            absorbed[g][i] += qg
            if e in makers:
                out[g][e] += qg
            else:
                absorbed[g][e] -= qg
    for r, made in makers.items():
        kept = made - exports[r]
        dy = kept * hc[r]
        for g, qg in (("ndfeb_magnet_dy", dy), ("ndfeb_magnet_free", kept - dy)):
            out[g][r] += qg
            absorbed[g][r] += qg
    out_hc, out_free = out["ndfeb_magnet_dy"], out["ndfeb_magnet_free"]
    # Dy/Tb per t of Dy/Tb-bearing magnet: China's Dy/Tb less its 50 t to the US, over the
    # world's Dy/Tb-bearing output (rule F).
    hc_world = sum(out_hc[r] for r in makers)
    a_dy = math.floor((DYTB_CHINA - 50 - 1) / hc_world * 1e6) / 1e6  # 1 t for rounding
    alloy_per_magnet = round(1 / (1 - SCRAP_SHARE), 4)
    metal_per_alloy = round(METAL_USE_CHINA / BLANKS_CHINA, 5)
    for grade in ("ndfeb_magnet_free", "ndfeb_magnet_dy"):
        recipes.append((grade, "ndfeb_alloy", alloy_per_magnet, "input_per_output", "", 1.2, 1.43, "D",
                        "ARGUS-SCRAP-2025", "blank per finished magnet: 1 / (1 - 0.25 scrap) (rule N)"))
    recipes.append(("ndfeb_magnet_dy", "dytb_oxide", a_dy, "input_per_output", "", 0.02, 0.06, "D",
                    "ARGUS-2025", "China's 4,150 t Dy/Tb less 50 t to the US over the world's Dy/Tb-bearing output (rules F, O)"))
    recipes.append(("ndfeb_alloy", "ndpr_metal", metal_per_alloy, "input_per_output", "", 0.22, 0.30, "D",
                    "ARGUS-2025", "China's 80,000 t NdPr metal use / 300,000 t blanks (rule F)"))
    recipes.append(("ndpr_metal", "ndpr_oxide", METAL_PER_OXIDE, "yield", "", 0.686, 0.857, "D", "HEIM-2023",
                    "stoichiometric 2M/(2M+3x16) for Nd; process loss taken as recovered (rule F)"))
    for r in makers:
        st = "S" if r == "CN" else "E"
        src = "ARGUS-2025" if r == "CN" else "RULES"
        note = ("300,000 t of blanks less 25% scrap (rule N)" if r == "CN" else "rule G, finished basis (rule N)")
        # A sintering line makes either grade; a Dy/Tb-bearing grade adds Dy/Tb in the alloy
        # or by grain-boundary diffusion: the Dy/Tb-free grade's capacity is every line.
        lines = repr(out_free[r] + out_hc[r])
        prod.append((r, "ndfeb_magnet_free", repr(out_free[r]), lines, "", "D" if r == "CN" else st, src,
                     f"{note}; grades by the uses it serves, capacity every line (rule O)"))
        prod.append((r, "ndfeb_magnet_dy", repr(out_hc[r]), "", "", "D" if r == "CN" else st, src,
                     f"{note}; grades by the uses it serves (rule O)"))
    # Recycling loops in China (rule N): NdPr from scrap of alloy made into blanks, Dy/Tb
    # from scrap of Dy/Tb-bearing magnets.
    alloy = {r: makers[r] * alloy_per_magnet for r in makers}
    alloy_imports = {"JP": ALLOY_TO_JAPAN}
    alloy["CN"] += ALLOY_TO_JAPAN
    trade.append(("CN", "JP", "ndfeb_alloy", ALLOY_TO_JAPAN, "8505.19/7202.99", "E", "IBNEWS-2025",
                  "NdFeB alloy and powder, ~400-500 t a month in 2024 from 2025 months and y/y (rule H)"))
    joint.append(("ndfeb_alloy", "ndpr_oxide", up(RECYCLED_NDPR / alloy["CN"], 6), "CN", "recycled", "D",
                  "ARGUS-SCRAP-2025", "26,504 t PrNd oxide from scrap over China's alloy made into blanks (rule N)"))
    joint.append(("ndfeb_magnet_dy", "dytb_oxide", up(RECYCLED_DYTB / out_hc["CN"], 7), "CN", "recycled", "D",
                  "ARGUS-SCRAP-2025", "870 t Dy/Tb oxide from scrap over China's Dy/Tb-bearing output (rule N)"))
    for r in makers:
        made = alloy[r] - alloy_imports.get(r, 0.0)
        # Japan's makers cast their own alloy and can cast what they import (rule N, E).
        cap = repr(alloy[r]) if r in alloy_imports else ""
        prod.append((r, "ndfeb_alloy", repr(made), cap, "", "D" if r == "CN" else "E",
                     "ARGUS-2025" if r == "CN" else "RULES",
                     "blanks for its magnets, and alloy and powder for Japan" if r == "CN"
                     else "alloy for its magnets, less imports (rule N)"))
    # Dy/Tb to magnet makers outside China (rule F).
    for r in makers:
        if r != "CN" and out_hc[r] > 0:
            trade.append(("CN", r, "dytb_oxide", up(a_dy * out_hc[r]), "2846.90", "E", "RULES",
                          "Dy/Tb for its Dy/Tb-bearing magnets (rule F)"))
    trade.append(("CN", "US", "dytb_oxide", 50, "2846.90", "D", "USGS-MCS25-REE",
                  "part of China's 70% of US compound and metal imports (rule D)"))

    # Metal: China's; Japan, Vietnam, the UK sized to the magnet makers they feed (rule G).
    metal_need = {r: (alloy[r] - alloy_imports.get(r, 0.0)) * metal_per_alloy for r in makers}
    metal_trade = [  # exporter, importer, t, status, source, note
        ("CN", "US", 150, "D", "USGS-MCS25-REE", "part of China's 70% of US compound and metal imports (rule D)"),
        ("JP", "US", 60, "D", "USGS-MCS25-REE", "6% of US compound and metal imports (rule D)"),
        ("VN", "US", 30, "D", "USGS-MCS25-REE", "part of 'other' 6% of US imports (rule D)"),
        ("CN", "KR", up(metal_need["KR"]), "E", "RULES", "Korean magnet making (rule G)"),
        ("CN", "RW", up(metal_need["RW"]), "E", "RULES", "other magnet makers (rule G)"),
        ("JP", "PH", up(metal_need["PH"]), "E", "KITA-2023", "Japanese-owned magnet plants in the Philippines (rule G)"),
        ("GB", "DE", up(metal_need["DE"]), "E", "RULES", "alloy metal for German magnet making (rule G)"),
    ]
    for (e, i, q, st, src, note) in metal_trade:
        trade.append((e, i, "ndpr_metal", q, "2805.30", st, src, note))
    metal_exports = {}
    for (e, i, q, *_r) in metal_trade:
        metal_exports[e] = metal_exports.get(e, 0) + q
    metal_made = {"CN": METAL_CHINA}
    for r in ("JP", "VN"):
        metal_made[r] = up(metal_need[r] + metal_exports.get(r, 0))
    metal_made["GB"] = metal_exports["GB"]
    for r, q in metal_made.items():
        st, src, note = (("S", "ARGUS-2025", "") if r == "CN" else
                         ("E", "RULES", "sized to the magnet makers it feeds (rule G)"))
        if r == "GB":
            note = "Less Common Metals, sized to German magnet making (rule G)"
        cap = ""
        if r in alloy_imports:
            cap = up(alloy[r] * metal_per_alloy + metal_exports.get(r, 0))
            note += "; capacity for the alloy it imports too (rule N)"
        prod.append((r, "ndpr_metal", q, cap, "", st, src, note))
    # Oxide to metal makers outside China (rule G): Lynas's Japanese offtake is what it does
    # not sell to China and the US; China supplies the rest.
    oxide_need = {r: metal_made[r] / METAL_PER_OXIDE for r in ("JP", "VN", "GB")}
    my_to_jp = my_ndpr - 3_261 - 130
    oxide_trade = [
        ("MY", "CN", 3_261, "S", "TREO-2024", "Lynas NdPr into China, 2024 China import data"),
        ("US", "CN", 232, "S", "TREO-2024", "MP NdPr into China, 2024"),
        ("MY", "JP", my_to_jp, "D", "LYNAS-FY25", "Lynas's output not sold to China or the US (rule G)"),
        ("MY", "US", 130, "D", "USGS-MCS25-REE", "13% of US compound and metal imports (rule D)"),
        ("CN", "JP", up(oxide_need["JP"] - my_to_jp), "E", "METALNOMIST-2024", "balances Japanese metal making (rule G)"),
        ("CN", "VN", up(oxide_need["VN"]), "E", "RULES", "balances Vietnamese metal making (rule G)"),
        ("CN", "GB", up(oxide_need["GB"]), "E", "RULES", "balances UK metal making (rule G)"),
        ("CN", "US", 500, "D", "USGS-MCS25-REE", "part of China's 70% of US compound and metal imports (rule D)"),
        ("CN", "NL", 300, "E", "METALNOMIST-2024", "Netherlands among China's top-4 compound destinations"),
        ("NL", "US", 30, "D", "USGS-MCS25-REE", "part of 'other' 6% of US imports; a re-export through Rotterdam (rule D)"),
        ("EE", "US", 50, "D", "USGS-MCS25-REE", "5% of US compound and metal imports (rule D)"),
    ]
    for (e, i, q, st, src, note) in oxide_trade:
        trade.append((e, i, "ndpr_oxide", q, "2846.90", st, src, note))

    # Uses (rules I', O): each region's magnets of both grades split by its use mix.
    for r in regions:
        m_dy, m_free = absorbed["ndfeb_magnet_dy"][r], absorbed["ndfeb_magnet_free"][r]
        if m_dy + m_free <= 0:
            continue
        m = min(m_dy / hc[r], m_free / (1 - hc[r]))
        s = split(r)
        for u in USES:
            if s[u] <= 0:
                continue
            per_unit = {"ev_motor": MAGNET_PER_MOTOR, "wind_pm_mw": MAGNET_PER_MW}.get(u, 1.0)
            q = s[u] * m / per_unit
            src, st = "RULES", "E"
            if u == "ev_motor" and r in EVS_MADE:
                st, src = EVS_MADE[r][1:]
                st = "D" if st == "S" else "E"
            elif u == "wind_pm_mw" and r == "CN":
                st, src = "D", "ACREI-2024"
            elif u == "wind_pm_mw" and r in WIND_PM_T:
                src = "GWEC-2025"
            elif u == "defence_magnets" and r in DEFENCE_T:
                st, src = "D", "DOD-2012"
            prod.append((r, u, repr(q), "", "", st, src,
                         f"{s[u]:.1%} of {m:,.0f} t of magnets (rule I')"))
    for u in USES:
        per_unit = {"ev_motor": MAGNET_PER_MOTOR, "wind_pm_mw": MAGNET_PER_MW}.get(u, 1.0)
        g = HC_SHARE[u]
        src, st = {"ev_motor": ("MP-10K-2024", "D"), "wind_pm_mw": ("HEIM-2023", "S")}.get(u, ("RULES", "E"))
        for grade, share in (("ndfeb_magnet_dy", g), ("ndfeb_magnet_free", 1 - g)):
            if share > 0:
                recipes.append((u, grade, round(per_unit * share, 7), "input_per_output", "", "", "", "E", "RULES",
                                f"{per_unit} t magnet per unit ({src}), {share:.0%} in this grade (rule O)"))

    # Plants with no 2024 output (rule P): nodes of capacity zero, so that a scenario can
    # add the capacity that came or comes later (scenarios/us_plus8_embargo_2027.toml).
    pipeline = [  # region, product, status, source, note
        ("US", "ndpr_metal", "S", "MP-2025", "MP Independence: metal and alloy since 2025 (rule P)"),
        ("US", "ndfeb_alloy", "S", "MP-2025", "MP Independence: metal and alloy since 2025 (rule P)"),
        ("US", "ndfeb_magnet_free", "S", "MP-2025", "MP Independence (Dec 2025), eVAC Sumter (late 2025), MP 10X (2028) (rule P)"),
        ("US", "ndfeb_magnet_dy", "S", "MP-2025", "MP Independence (Dec 2025), eVAC Sumter (late 2025), MP 10X (2028) (rule P)"),
        ("EE", "ndpr_metal", "E", "NEO-NARVA", "Silmet metal for Narva (rule P)"),
        ("EE", "ndfeb_alloy", "E", "NEO-NARVA", "alloy for Narva (rule P)"),
        ("EE", "ndfeb_magnet_free", "S", "NEO-NARVA", "Narva, opened Sept 2025 (rule P)"),
        ("EE", "ndfeb_magnet_dy", "S", "NEO-NARVA", "Narva, opened Sept 2025 (rule P)"),
        ("AU", "ndpr_oxide", "S", "ILUKA-2025", "Eneabba refinery, commissioning 2027 (rule P)"),
        ("AU", "dytb_oxide", "S", "ILUKA-2025", "Eneabba refinery, commissioning 2027 (rule P)"),
        ("FR", "ndpr_oxide", "S", "SOLVAY-2025", "La Rochelle magnet line, April 2025 (rule P)"),
        ("US", "dytb_oxide", "S", "ENERGY-FUELS-2024", "White Mesa Phase 2 Dy and Tb, Q1 2029 (rule P)"),
    ]
    for (r, p, st, src, note) in pipeline:
        prod.append((r, p, 0, 0, "", st, src, note))

    # Stocks (rule J).
    for p in ("ndpr_oxide", "ndpr_metal", "dytb_oxide"):
        stocks.append(("JP", p, JOGMEC_DAYS, "days", "E", "JOGMEC-2020",
                       "the 60-day rare-metal target applied to each product; 2020 plan: up to 180 days (rule J)"))
    korea_auto_ndpr = split("KR")["ev_motor"] * absorption["KR"] * alloy_per_magnet * metal_per_alloy
    stocks.append(("KR", "ndpr_metal", round(korea_auto_ndpr * KOREA_ND_DAYS / 365, 1), "t", "E", "KOMIR-2024",
                   f"180 days of automakers' NdPr: {korea_auto_ndpr:,.0f} t a year in their magnets (rule J)"))
    stocks.append(("KR", "dytb_oxide", KOREA_DYTB_DAYS, "days", "S", "KOMIR-2024", "100-day stockpile target"))
    for r in regions:
        if absorption[r] > 0:
            for grade in ("ndfeb_magnet_free", "ndfeb_magnet_dy"):
                stocks.append((r, grade, FIRM_MAGNET_DAYS, "days", "E", "CLEPA-2025",
                               "cover before drawdown: 3-4 weeks left after ~8 weeks at about half supply (rule J)"))

    write("production.csv", ["region", "product", "production", "capacity", "item", "status", "source", "note"], prod)
    write("trade.csv", ["exporter", "importer", "product", "quantity", "hs_code", "status", "source", "note"], trade)
    write("recipes.csv", ["output", "input", "coefficient", "basis", "region", "low", "high", "status", "source", "note"],
          recipes)
    write("stocks.csv", ["region", "product", "quantity", "unit", "status", "source", "note"], stocks)
    write("joint.csv", ["host", "output", "yield", "region", "item", "status", "source", "note"], joint)
    print(f"China: NdPr from light feed {ndpr_light:,.0f} t, heavy-feed co-product {ndpr_heavy:,.0f} t, "
          f"unrecorded light feed {unrecorded:,.0f} t REO ({unrecorded / (recorded_light + unrecorded):.1%} of need)")
    print(f"Dy/Tb yield of heavy feed {dytb_yield:.4f}; Dy/Tb per t Dy/Tb-bearing magnet {a_dy:.5f}")
    for r in ["CN", "JP", "KR", "US", "DE"]:
        print(f"  {r} split " + ", ".join(f"{u} {v:.1%}" for u, v in split(r).items()))
    print(f"finished magnets in China {finished_cn:,.0f} t, kept at home {(finished_cn - EXPORTS_CHINA) / finished_cn:.1%}")
    for r in BLOC:
        print(f"  {r}: magnets {absorption[r]:,.0f} t, Dy/Tb-bearing share {hc[r]:.1%}")


def write(name, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    with open(os.path.join(OUT, name), "w") as f:
        f.write(buf.getvalue())


if __name__ == "__main__":
    main()
