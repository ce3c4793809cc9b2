#!/usr/bin/env python3
"""Writes data/mrio_2022/: a compact multi-regional monetary input-output table (12 regions
x 6 sectors, US$ million, 2022) in pymrio's CSV layout, for the bridge from physical
shortfalls to value added (docs/model.md §7.4; every rule in docs/data.md, "The monetary
table").

Gross output and value added per region and sector are the OECD ICIO 2025 edition (year
2022) as aggregated to 20 regions in `liuzs00/Multi-regional-BKMN-model`,
`DATA_20R/ICIO2025_20R_2022.csv` (commit 25e144ed), C30 = C301 + C302T309 (R: a third
party's sum of the OECD file). The intermediate flows Z and final demand Y of that file
could not be read here: they are estimated by rules M1-M5 below (E).

Run: python3 scripts/mrio_2022.py
"""
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "mrio_2022")

SECTORS = ["C26", "C27", "C28", "C29", "C30", "REST"]
MANUFACTURING = SECTORS[:5]
REGIONS = ["US", "JP", "SG", "KR", "GB", "NL", "AE", "AU", "IL", "CN", "EU", "RW"]

# (region of the 20-region file, sector, gross output, value added), US$ million, 2022.
ICIO = [
    ("EU27", "C26", 347015.4, 127932.2),
    ("EU27", "C27", 386307.5, 113051.7),
    ("EU27", "C28", 779490.7, 260210.3),
    ("EU27", "C29", 1046739.9, 259341.8),
    ("EU27", "C30", 261705.0, 65335.6),
    ("EU27", "REST", 30606819.0, 14233006.8),
    ("USA", "C26", 489552.0, 351490.3),
    ("USA", "C27", 156843.2, 75883.4),
    ("USA", "C28", 446815.2, 184021.6),
    ("USA", "C29", 733534.9, 148956.6),
    ("USA", "C30", 353993.8, 160960.1),
    ("USA", "REST", 43118897.7, 23914869.0),
    ("CHN", "C26", 2136721.2, 364474.4),
    ("CHN", "C27", 1201186.5, 240181.0),
    ("CHN", "C28", 1581029.7, 407222.4),
    ("CHN", "C29", 1216322.3, 264213.6),
    ("CHN", "C30", 299743.6, 55170.9),
    ("CHN", "REST", 38659916.5, 15203655.3),
    ("GBR", "C26", 31216.4, 17478.5),
    ("GBR", "C27", 18960.8, 7129.6),
    ("GBR", "C28", 50874.5, 20196.2),
    ("GBR", "C29", 81424.4, 19326.0),
    ("GBR", "C30", 41927.6, 15519.0),
    ("GBR", "REST", 5381843.8, 2713494.1),
    ("JPN", "C26", 164855.7, 66555.5),
    ("JPN", "C27", 148845.7, 50532.5),
    ("JPN", "C28", 305760.6, 123522.6),
    ("JPN", "C29", 377049.5, 91143.9),
    ("JPN", "C30", 47611.1, 11801.3),
    ("JPN", "REST", 7051066.6, 3528910.6),
    ("IND", "C26", 50355.5, 8733.8),
    ("IND", "C27", 72572.8, 13029.3),
    ("IND", "C28", 101139.4, 26782.7),
    ("IND", "C29", 167999.8, 32415.3),
    ("IND", "C30", 33355.9, 6654.3),
    ("IND", "REST", 5872257.9, 2955355.4),
    ("CAN", "C26", 14429.1, 6573.8),
    ("CAN", "C27", 11134.6, 3834.3),
    ("CAN", "C28", 38485.8, 15034.5),
    ("CAN", "C29", 58839.5, 10539.8),
    ("CAN", "C30", 38163.9, 10967.9),
    ("CAN", "REST", 3638711.9, 1974916.2),
    ("NOR", "C26", 3515.5, 1534.1),
    ("NOR", "C27", 2995.0, 810.6),
    ("NOR", "C28", 5942.3, 2019.0),
    ("NOR", "C29", 1185.7, 333.6),
    ("NOR", "C30", 5796.0, 1619.1),
    ("NOR", "REST", 892180.2, 529109.4),
    ("IDN", "C26", 30639.0, 5644.2),
    ("IDN", "C27", 32328.6, 10764.8),
    ("IDN", "C28", 16014.6, 3547.8),
    ("IDN", "C29", 45282.0, 12347.1),
    ("IDN", "C30", 27101.9, 852.4),
    ("IDN", "REST", 2256025.8, 1228164.9),
    ("RUS", "C26", 31260.4, 12552.4),
    ("RUS", "C27", 20081.9, 5148.7),
    ("RUS", "C28", 29783.5, 9097.2),
    ("RUS", "C29", 54740.7, 8298.6),
    ("RUS", "C30", 55325.3, 17360.8),
    ("RUS", "REST", 3903587.2, 1978960.2),
    ("CHL", "C26", 12089.0, 5273.3),
    ("CHL", "C27", 1326.1, 507.3),
    ("CHL", "C28", 2383.5, 906.8),
    ("CHL", "C29", 0.0, 0.0),
    ("CHL", "C30", 1538.9, 535.3),
    ("CHL", "REST", 534590.5, 262711.5),
    ("AUS", "C26", 9302.7, 5245.5),
    ("AUS", "C27", 5634.7, 2167.0),
    ("AUS", "C28", 12715.2, 4860.1),
    ("AUS", "C29", 10356.1, 3542.6),
    ("AUS", "C30", 13071.3, 4460.9),
    ("AUS", "REST", 3135123.1, 1570762.2),
    ("SGP", "C26", 133306.2, 46021.5),
    ("SGP", "C27", 2778.0, 703.1),
    ("SGP", "C28", 26587.1, 10140.6),
    ("SGP", "C29", 1064.3, 297.6),
    ("SGP", "C30", 12715.3, 3641.2),
    ("SGP", "REST", 991648.2, 387231.0),
    ("TUR", "C26", 5633.6, 1820.9),
    ("TUR", "C27", 23189.1, 5522.1),
    ("TUR", "C28", 20334.8, 7185.8),
    ("TUR", "C29", 34273.3, 7745.3),
    ("TUR", "C30", 4586.9, 1887.5),
    ("TUR", "REST", 1619800.7, 787784.8),
    ("KOR", "C26", 341950.9, 128987.2),
    ("KOR", "C27", 118568.6, 27787.5),
    ("KOR", "C28", 149990.6, 40233.3),
    ("KOR", "C29", 216241.5, 39423.1),
    ("KOR", "C30", 44810.9, 8591.2),
    ("KOR", "REST", 3438010.6, 1410951.1),
    ("KAZ", "C26", 131.8, 53.0),
    ("KAZ", "C27", 607.5, 303.9),
    ("KAZ", "C28", 785.3, 390.8),
    ("KAZ", "C29", 2231.9, 1110.8),
    ("KAZ", "C30", 368.5, 163.9),
    ("KAZ", "REST", 344630.4, 207615.7),
    ("MEA", "C26", 55854.3, 29172.0),
    ("MEA", "C27", 20253.5, 7274.8),
    ("MEA", "C28", 16879.0, 7054.4),
    ("MEA", "C29", 10956.2, 3670.0),
    ("MEA", "C30", 10454.6, 3684.2),
    ("MEA", "REST", 3522457.8, 2035087.3),
    ("AFR", "C26", 5712.6, 2003.5),
    ("AFR", "C27", 16669.0, 5710.9),
    ("AFR", "C28", 14053.9, 5264.1),
    ("AFR", "C29", 43784.0, 9383.4),
    ("AFR", "C30", 3563.1, 1553.4),
    ("AFR", "REST", 2912869.7, 1668863.1),
    ("LAM", "C26", 153705.4, 31917.0),
    ("LAM", "C27", 78565.9, 20205.6),
    ("LAM", "C28", 111477.0, 33269.7),
    ("LAM", "C29", 318444.1, 79411.2),
    ("LAM", "C30", 33268.1, 7803.1),
    ("LAM", "REST", 7719552.6, 4035090.2),
    ("ROW", "C26", 875147.6, 287640.0),
    ("ROW", "C27", 155471.3, 43017.1),
    ("ROW", "C28", 188956.9, 63653.1),
    ("ROW", "C29", 179960.8, 49742.1),
    ("ROW", "C30", 93892.9, 25595.5),
    ("ROW", "REST", 16841018.6, 8376369.7),]

# Rule M1 (splits, E): the Netherlands from the EU27 and the UAE and Israel from the
# 20-region file's Middle East (Saudi Arabia, UAE, Israel, Jordan) by shares of GDP, every
# sector alike. World Bank WDI, GDP 2020, US$ million (1 July 2021): NL 912,242; the EU
# members in its table's first 72 ranks, 14,954,821 (DE 3,806,060, FR 2,603,004, IT
# 1,886,445, ES 1,281,199, NL 912,242, PL 594,165, SE 537,610, BE 515,332, AT 428,965,
# IE 418,622, DK 355,184, FI 271,234, RO 248,716, CZ 243,530, PT 231,256, GR 189,410, HU
# 155,013, SK 104,574, LU 73,264; the eight smaller members, about 2% of the EU, are not
# in the part read); SA 700,118, AE 421,142, IL 401,954; Jordan 44,568 (2019, CIA World
# Factbook).
EU_LISTED = [3_806_060, 2_603_004, 1_886_445, 1_281_199, 912_242, 594_165, 537_610,
             515_332, 428_965, 418_622, 355_184, 271_234, 248_716, 243_530, 231_256,
             189_410, 155_013, 104_574, 73_264]
NL_SHARE = 912_242 / sum(EU_LISTED)
MEA = {"SA": 700_118, "AE": 421_142, "IL": 401_954, "JO": 44_568}
AE_SHARE = MEA["AE"] / sum(MEA.values())
IL_SHARE = MEA["IL"] / sum(MEA.values())
DIRECT = {"USA": "US", "JPN": "JP", "SGP": "SG", "KOR": "KR", "GBR": "GB", "AUS": "AU",
          "CHN": "CN"}

# Rule M2 (input mix, E): a manufacturing sector takes 30% of its intermediate inputs from
# its own sector (parts and components), 4% from each other manufacturing sector and the
# rest from the rest of the economy; the rest of the economy takes from each
# manufacturing sector half that sector's share of world output.
def input_mix(s, world):
    if s in MANUFACTURING:
        return {t: (0.30 if t == s else 0.04) if t in MANUFACTURING else 0.54
                for t in SECTORS}
    total = sum(world.values())
    mix = {t: 0.5 * world[t] / total for t in MANUFACTURING}
    mix["REST"] = 1.0 - sum(mix.values())
    return mix

# Rule M3 (where inputs come from, E): a user in region r buys sector t from region i in
# proportion to i's output of t, times 1 + beta at home: beta 3 for manufacturing, 30 for
# the rest of the economy (services are mostly bought at home).
BETA = {t: 3.0 if t in MANUFACTURING else 30.0 for t in SECTORS}

# Rule M4 (capacity of a supplier, E): what a supplier sells as inputs is at most 90% of
# its output; above it, the excess goes to the other regions' suppliers of the sector in
# proportion to their room, so every industry keeps its inputs.
CAP = 0.9

# Rule M5 (final demand, E): the rest of each output is final demand, bought by region c
# in proportion to c's value added, times 1 + beta at home (rule M3's beta).


def regions12():
    x, va = {}, {}
    def add(r, s, q, v):
        x[(r, s)] = x.get((r, s), 0.0) + q
        va[(r, s)] = va.get((r, s), 0.0) + v
    for reg, s, q, v in ICIO:
        if reg in DIRECT:
            add(DIRECT[reg], s, q, v)
        elif reg == "EU27":
            add("NL", s, NL_SHARE * q, NL_SHARE * v)
            add("EU", s, (1 - NL_SHARE) * q, (1 - NL_SHARE) * v)
        elif reg == "MEA":
            add("AE", s, AE_SHARE * q, AE_SHARE * v)
            add("IL", s, IL_SHARE * q, IL_SHARE * v)
            add("RW", s, (1 - AE_SHARE - IL_SHARE) * q, (1 - AE_SHARE - IL_SHARE) * v)
        else:
            add("RW", s, q, v)
    return x, va


def main():
    x, va = regions12()
    inds = [(r, s) for r in REGIONS for s in SECTORS]
    # Industries without output (none here) would need no inputs.
    Z = {(i, j): 0.0 for i in inds for j in inds}
    world = {t: sum(x[(r, t)] for r in REGIONS) for t in SECTORS}
    for j in inds:
        r, s = j
        need = x[j] - va[j]
        for t, share in input_mix(s, world).items():
            weights = {i: x[(i, t)] * (1 + (BETA[t] if i == r else 0.0)) for i in REGIONS}
            total = sum(weights.values())
            for i in REGIONS:
                Z[((i, t), j)] += need * share * weights[i] / total
    # Rule M4: move inputs from suppliers above the cap to others of the same sector.
    for _ in range(200):
        moved = False
        for t in SECTORS:
            rows = {i: sum(Z[((i, t), j)] for j in inds) for i in REGIONS}
            over = {i: rows[i] - CAP * x[(i, t)] for i in REGIONS}
            excess = {i: o for i, o in over.items() if o > 1e-9}
            if not excess:
                continue
            moved = True
            room = {i: -o for i, o in over.items() if o < 0}
            total_room = sum(room.values())
            for i, e in excess.items():
                k = e / rows[i]
                for j in inds:
                    cut = Z[((i, t), j)] * k
                    Z[((i, t), j)] -= cut
                    for o, rr in room.items():
                        Z[((o, t), j)] += cut * rr / total_room
        if not moved:
            break
    else:
        raise SystemExit("rule M4 did not converge: a sector's suppliers cannot meet its use")
    for j in inds:
        assert abs(sum(Z[(i, j)] for i in inds) - (x[j] - va[j])) <= 1e-6 * x[j], j
    gdp = {c: sum(va[(c, s)] for s in SECTORS) for c in REGIONS}
    Y = {}
    for i in inds:
        rest = x[i] - sum(Z[(i, j)] for j in inds)
        assert rest >= 0.099 * x[i], (i, rest, x[i])
        weights = {c: gdp[c] * (1 + (BETA[i[1]] if c == i[0] else 0.0)) for c in REGIONS}
        total = sum(weights.values())
        for c in REGIONS:
            Y[(i, c)] = rest * weights[c] / total
    os.makedirs(OUT, exist_ok=True)
    fmt = lambda v: f"{v:.6f}"
    with open(os.path.join(OUT, "Z.csv"), "w") as f:
        f.write("region\t\t" + "\t".join(r for r, _ in inds) + "\n")
        f.write("sector\t\t" + "\t".join(s for _, s in inds) + "\n")
        f.write("region\tsector" + "\t" * len(inds) + "\n")
        for i in inds:
            f.write(f"{i[0]}\t{i[1]}\t" + "\t".join(fmt(Z[(i, j)]) for j in inds) + "\n")
    with open(os.path.join(OUT, "Y.csv"), "w") as f:
        f.write("region\t\t" + "\t".join(REGIONS) + "\n")
        f.write("category\t\t" + "\t".join("final demand" for _ in REGIONS) + "\n")
        f.write("region\tsector" + "\t" * len(REGIONS) + "\n")
        for i in inds:
            f.write(f"{i[0]}\t{i[1]}\t" + "\t".join(fmt(Y[(i, c)]) for c in REGIONS) + "\n")
    with open(os.path.join(OUT, "x.csv"), "w") as f:
        f.write("region\tsector\tindout\n")
        for i in inds:
            out = sum(Z[(i, j)] for j in inds) + sum(Y[(i, c)] for c in REGIONS)
            f.write(f"{i[0]}\t{i[1]}\t{fmt(out)}\n")
    with open(os.path.join(OUT, "va.csv"), "w") as f:
        f.write("region\tsector\tvalue_added\tsourced_value_added\n")
        for j in inds:
            derived = x[j] - sum(Z[(i, j)] for i in inds)
            f.write(f"{j[0]}\t{j[1]}\t{fmt(derived)}\t{fmt(va[j])}\n")
    print(f"NL share of the EU {NL_SHARE:.4f}; AE {AE_SHARE:.4f}, IL {IL_SHARE:.4f} of the Middle East")
    for c in REGIONS:
        print(c, round(gdp[c]), "US$ million of value added")


if __name__ == "__main__":
    main()
