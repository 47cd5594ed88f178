#!/usr/bin/env python3
"""Independent tax oracle for tcsim's tax engine (issue 13, model.md section 10).

Writes the test vectors that `tests/tax_vectors.rs` checks the Rust engine
against. NOT run by CI: the CSVs it writes are committed, and the Rust test
reads only them.

What it writes (under `tests/tax_vectors/` unless `--out` says otherwise):

* `policyengine_2026.csv`: a grid of households for tax year 2026 computed by
  PolicyEngine-US: residences CA, NY (no city), NY + NYC, MA, WA, TX; filing
  single and joint; one earner of 35 (a joint return's spouse is 35 with no
  income), no dependents; wages $150k, $200k, $300k, $500k, $800k, $1.2M; plus
  $300k of wages with $50k / $500k / $1.5M of long-term gains and $50k /
  $200k of short-term gains. Columns: the inputs, then the four measures tcsim
  reports (`federal_total`, `fica`, `state_total`, `state_payroll`) and the
  lines behind them (see COLUMNS below for the PolicyEngine variable behind
  each).
* `amt_2026.csv`: ISO exercises (an AMT adjustment, Form 6251 line 2i) for
  2026 law from PSL Tax-Calculator, whose `cmbtp` input ("income on Form 6251
  but not in AGI", lines 2c-2t and 3, ISO spread included) carries the spread;
  the household lives in Texas (no state income tax, so no SALT and the
  standard deduction), single and joint, wages $200k-$600k, spreads chosen to
  land below the exemption's phase-out start, inside the 50 % phase-out, and
  into the 28 % bracket; and a few itemizers in CA and NYC, whose SALT (the
  state liability from PolicyEngine, Tax-Calculator's `e18400`) is added back
  for the AMT. Columns: regular tax, tentative minimum tax, AMT; a
  PolicyEngine cross-check of the same households (PolicyEngine has no ISO
  input: the script adds the spread to its `amt_income` by overriding that
  variable with its own value plus the spread); and a wages-only federal
  cross-check between PolicyEngine and Tax-Calculator in the header comment.

Comparing like with like (tax.md, "An independent oracle you can run"):

* SALT. PolicyEngine's federal SALT deduction uses its estimate of state
  *withholding* (`state_withheld_income_tax` + `local_income_tax`, summed in
  `state_and_local_sales_or_income_tax`, and the larger of that and its
  sales-tax estimate). tcsim deducts the year's state and local income-tax
  *liability*. So the script computes each household, then sets
  `state_and_local_sales_or_income_tax` (a tax-unit variable; an input
  overrides its formula) to `state_income_tax + nyc_income_tax` and computes
  again, until that liability no longer changes (a fixed point: NY's itemized
  deduction depends on the federal one). Sales tax is thereby not deducted
  (TX, WA), as in tcsim. `pe_default_federal_total` keeps PolicyEngine's own
  reading for reference.
* Credits PolicyEngine applies that tax.md does not list are recorded in
  their own columns, so the Rust side can model them or name the difference:
  CA's personal exemption credit after its AGI phase-out (`ca_exemptions`),
  the NYC school tax credit (`nyc_school_tax_credit_fixed_amount`, refundable,
  and `nyc_school_tax_credit_rate_reduction_amount`, non-refundable), NY's
  supplemental tax / recapture (`ny_supplemental_tax`), CA's mental health
  services tax (`ca_mental_health_services_tax`), WA's capital-gains tax
  (`wa_capital_gains_tax`).
* PolicyEngine computes in 32-bit floats: its figures are good to a few cents
  at $1M (the CSV prints them to the cent as computed; compare within $1).

Install (about 200 MB; household calculations run offline):

    python3 -m venv /tmp/pe
    /tmp/pe/bin/pip install policyengine-us taxcalc

Run (from the repository root; about two minutes, most of it importing
PolicyEngine):

    /tmp/pe/bin/python tools/tax_vectors.py            # both files
    /tmp/pe/bin/python tools/tax_vectors.py --only pe  # policyengine_2026.csv
    /tmp/pe/bin/python tools/tax_vectors.py --only amt # amt_2026.csv

Each CSV starts with `#` comment lines naming the oracle and its version,
the date, and what each column is; then a header row; dollars to the cent,
no exponent. The versions used for the committed files are in those header
comments (policyengine-us 2.68.0 / policyengine-core 3.33.12, taxcalc 6.8.0).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata as md
import os
import sys

YEAR = 2026

RESIDENCES = [("CA", ""), ("NY", ""), ("NY", "NYC"), ("MA", ""), ("WA", ""), ("TX", "")]
FILINGS = ["single", "joint"]
WAGES = [150_000, 200_000, 300_000, 500_000, 800_000, 1_200_000]
# (wages, long-term gain, short-term gain) on top of the wages-only grid.
GAINS = [
    (300_000, 50_000, 0),
    (300_000, 500_000, 0),
    (300_000, 1_500_000, 0),
    (300_000, 0, 50_000),
    (300_000, 0, 200_000),
]

# Output column -> how it is computed from PolicyEngine variables (documented
# in the CSV header too).
PE_COLUMNS = [
    ("federal_total", "income_tax_before_credits + net_investment_income_tax "
     "(regular + AMT + NIIT; no credit applies to these households: see federal_credits)"),
    ("federal_regular", "income_tax_main_rates + capital_gains_tax"),
    ("federal_amt", "alternative_minimum_tax"),
    ("federal_niit", "net_investment_income_tax"),
    ("federal_credits", "income_tax_capped_non_refundable_credits + income_tax_refundable_credits "
     "(expected 0)"),
    ("agi", "adjusted_gross_income"),
    ("deduction", "taxable_income_deductions"),
    ("itemized", "tax_unit_itemizes (1/0)"),
    ("salt_deduction", "salt_deduction (after the cap and its phase-down)"),
    ("taxable", "taxable_income"),
    ("fica", "employee_social_security_tax + employee_medicare_tax + additional_medicare_tax"),
    ("social_security", "employee_social_security_tax"),
    ("medicare", "employee_medicare_tax"),
    ("additional_medicare", "additional_medicare_tax"),
    ("state_income", "state_income_tax (after state credits)"),
    ("local", "nyc_income_tax (after NYC credits, the school tax credit included)"),
    ("state_total", "state_income + local (tcsim's tax_state); also the SALT input"),
    ("state_payroll", "employee_state_payroll_tax (CA SDI; NY PFL + DBL; WA PFML + WA Cares; MA PFML)"),
    ("ca_exemption_credit", "ca_exemptions (personal exemption credit after the AGI phase-out)"),
    ("ca_mental_health_tax", "ca_mental_health_services_tax"),
    ("ny_supplemental_tax", "ny_supplemental_tax (recapture)"),
    ("nyc_school_credit_fixed", "nyc_school_tax_credit_fixed_amount"),
    ("nyc_school_credit_rate_reduction", "nyc_school_tax_credit_rate_reduction_amount"),
    ("wa_capital_gains_tax", "wa_capital_gains_tax"),
    ("pe_salt_withholding_estimate", "state_withheld_income_tax + local_income_tax "
     "(PolicyEngine's default SALT basis, for reference)"),
    ("pe_default_federal_total", "federal_total with PolicyEngine's default SALT (for reference)"),
]


def money(x: float) -> str:
    """Dollars to the cent, never an exponent."""
    v = round(float(x) + 0.0, 2)
    if v == 0:
        v = 0.0  # no "-0.00"
    return f"{v:.2f}"


def versions(*pkgs: str) -> str:
    return ", ".join(f"{p} {md.version(p)}" for p in pkgs)


# --------------------------------------------------------------------------
# PolicyEngine
# --------------------------------------------------------------------------


def households() -> list[dict]:
    rows = []
    for state, city in RESIDENCES:
        for filing in FILINGS:
            for w in WAGES:
                rows.append(dict(state=state, city=city, filing=filing, wages=w, long_gain=0, short_gain=0))
            for w, lg, sg in GAINS:
                rows.append(dict(state=state, city=city, filing=filing, wages=w, long_gain=lg, short_gain=sg))
    for i, r in enumerate(rows):
        loc = r["state"] + ("-" + r["city"] if r["city"] else "")
        r["id"] = f"{loc.lower()}-{r['filing']}-w{r['wages'] // 1000}k" + (
            f"-lt{r['long_gain'] // 1000}k" if r["long_gain"] else "") + (
            f"-st{r['short_gain'] // 1000}k" if r["short_gain"] else "")
    return rows


def pe_situation(rows: list[dict], salt: list[float] | None, amt_extra: list[float] | None = None,
                 amt_base: list[float] | None = None) -> dict:
    """One situation holding every household (PolicyEngine vectorizes over them)."""
    y = str(YEAR)
    people, tus, fams, spms, mars, hhs = {}, {}, {}, {}, {}, {}
    for i, r in enumerate(rows):
        head = f"p{i}"
        members = [head]
        people[head] = {
            "age": {y: 35},
            "employment_income": {y: r["wages"]},
            "long_term_capital_gains": {y: r.get("long_gain", 0)},
            "short_term_capital_gains": {y: r.get("short_gain", 0)},
        }
        if r["filing"] == "joint":
            sp = f"s{i}"
            people[sp] = {"age": {y: 35}, "employment_income": {y: 0}}
            members.append(sp)
        tu: dict = {"members": members}
        if salt is not None:
            tu["state_and_local_sales_or_income_tax"] = {y: salt[i]}
        if amt_extra is not None:
            tu["amt_income"] = {y: amt_base[i] + amt_extra[i]}
        tus[f"t{i}"] = tu
        fams[f"f{i}"] = {"members": members}
        spms[f"u{i}"] = {"members": members}
        mars[f"m{i}"] = {"members": members}
        hhs[f"h{i}"] = {"members": members, "state_name": {y: r["state"]}, "in_nyc": {y: r.get("city") == "NYC"}}
    return {"people": people, "tax_units": tus, "families": fams, "spm_units": spms,
            "marital_units": mars, "households": hhs}


def pe_calc(sim, var: str):
    """A tax-unit (or person, summed to the tax unit) variable as floats."""
    try:
        return [float(v) for v in sim.calculate(var, YEAR, map_to="tax_unit")]
    except Exception:  # noqa: BLE001 - a variable defined only for some states
        return [float(v) for v in sim.calculate(var, YEAR)]


def pe_read(sim) -> dict[str, list[float]]:
    names = [
        "income_tax_before_credits", "net_investment_income_tax", "income_tax_main_rates",
        "capital_gains_tax", "alternative_minimum_tax", "income_tax_capped_non_refundable_credits",
        "income_tax_refundable_credits", "adjusted_gross_income", "taxable_income_deductions",
        "tax_unit_itemizes", "salt_deduction", "taxable_income", "employee_social_security_tax",
        "employee_medicare_tax", "additional_medicare_tax", "state_income_tax", "nyc_income_tax",
        "employee_state_payroll_tax", "ca_exemptions", "ca_mental_health_services_tax",
        "ny_supplemental_tax", "nyc_school_tax_credit_fixed_amount",
        "nyc_school_tax_credit_rate_reduction_amount", "wa_capital_gains_tax",
        "state_withheld_income_tax", "local_income_tax",
    ]
    return {n: pe_calc(sim, n) for n in names}


def pe_grid(rows: list[dict]) -> tuple[dict, dict]:
    """PolicyEngine's default computation and the one with SALT = liability."""
    from policyengine_us import Simulation

    default = pe_read(Simulation(situation=pe_situation(rows, None)))
    salt = [s + c for s, c in zip(default["state_income_tax"], default["nyc_income_tax"])]
    for _ in range(8):
        v = pe_read(Simulation(situation=pe_situation(rows, salt)))
        new = [s + c for s, c in zip(v["state_income_tax"], v["nyc_income_tax"])]
        if max(abs(a - b) for a, b in zip(new, salt)) < 0.005:
            return default, v
        salt = new
    sys.exit("SALT = state liability did not reach a fixed point in 8 rounds")


def write_pe(out: str) -> None:
    rows = households()
    default, v = pe_grid(rows)
    path = os.path.join(out, f"policyengine_{YEAR}.csv")
    inputs = ["id", "state", "city", "filing", "wages", "long_gain", "short_gain"]
    with open(path, "w", newline="") as f:
        f.write(f"# tcsim tax vectors, tax year {YEAR}: PolicyEngine-US household calculations.\n")
        f.write(f"# Oracle: {versions('policyengine-us', 'policyengine-core')}; written "
                f"{datetime.date.today().isoformat()} by tools/tax_vectors.py (not run by CI).\n")
        f.write("# Households: one earner aged 35 (joint: a spouse aged 35 without income), no dependents;\n")
        f.write("#   wages are W-2 employment income; long_gain / short_gain are net long- and short-term gains.\n")
        f.write("#   city NYC sets in_nyc; NY without a city is outside NYC (in_nyc false).\n")
        f.write("# SALT: state_and_local_sales_or_income_tax is set to state_total (the state and local\n")
        f.write("#   income-tax liability), iterated to a fixed point, as tcsim's contract deducts it;\n")
        f.write("#   PolicyEngine's default (its withholding estimate, or sales tax) gives pe_default_federal_total.\n")
        f.write("# Columns (dollars to the cent, PolicyEngine computes in float32: good to a few cents):\n")
        for name, how in PE_COLUMNS:
            f.write(f"#   {name} = {how}\n")
        f.write(",".join(inputs + [c for c, _ in PE_COLUMNS]) + "\n")
        for i, r in enumerate(rows):
            g = {k: vals[i] for k, vals in v.items()}
            fed = g["income_tax_before_credits"] + g["net_investment_income_tax"]
            out_vals = {
                "federal_total": fed,
                "federal_regular": g["income_tax_main_rates"] + g["capital_gains_tax"],
                "federal_amt": g["alternative_minimum_tax"],
                "federal_niit": g["net_investment_income_tax"],
                "federal_credits": g["income_tax_capped_non_refundable_credits"] + g["income_tax_refundable_credits"],
                "agi": g["adjusted_gross_income"],
                "deduction": g["taxable_income_deductions"],
                "itemized": None,
                "salt_deduction": g["salt_deduction"],
                "taxable": g["taxable_income"],
                "fica": g["employee_social_security_tax"] + g["employee_medicare_tax"] + g["additional_medicare_tax"],
                "social_security": g["employee_social_security_tax"],
                "medicare": g["employee_medicare_tax"],
                "additional_medicare": g["additional_medicare_tax"],
                "state_income": g["state_income_tax"],
                "local": g["nyc_income_tax"],
                "state_total": g["state_income_tax"] + g["nyc_income_tax"],
                "state_payroll": g["employee_state_payroll_tax"],
                "ca_exemption_credit": g["ca_exemptions"],
                "ca_mental_health_tax": g["ca_mental_health_services_tax"],
                "ny_supplemental_tax": g["ny_supplemental_tax"],
                "nyc_school_credit_fixed": g["nyc_school_tax_credit_fixed_amount"],
                "nyc_school_credit_rate_reduction": g["nyc_school_tax_credit_rate_reduction_amount"],
                "wa_capital_gains_tax": g["wa_capital_gains_tax"],
                "pe_salt_withholding_estimate": default["state_withheld_income_tax"][i] + default["local_income_tax"][i],
                "pe_default_federal_total": default["income_tax_before_credits"][i] + default["net_investment_income_tax"][i],
            }
            cells = [r["id"], r["state"], r["city"], r["filing"], money(r["wages"]), money(r["long_gain"]),
                     money(r["short_gain"])]
            for c, _ in PE_COLUMNS:
                if c == "itemized":
                    cells.append("1" if g["tax_unit_itemizes"] else "0")
                else:
                    cells.append(money(out_vals[c]))
            f.write(",".join(cells) + "\n")
    print(f"wrote {path} ({len(rows)} households)")


# --------------------------------------------------------------------------
# AMT: Tax-Calculator (2026 law), cross-checked with PolicyEngine
# --------------------------------------------------------------------------

# (filing, wages, ISO spread, where it lands). Texas: no state tax, standard
# deduction, so AMTI = wages + spread (the standard deduction is added back).
# 2026 law: exemption $90,100 / $140,200, phased out at 50 % from AMTI
# $500,000 / $1,000,000; 28 % above $244,500 of AMT base (tax.md).
AMT_CASES = [
    ("single", 200_000, 0, "no spread; no AMT"),
    ("single", 300_000, 20_000, "spread too small for the AMT"),
    ("single", 200_000, 50_000, "full exemption; 26 % only"),
    ("single", 200_000, 150_000, "full exemption; into 28 %"),
    ("single", 250_000, 200_000, "AMTI 450k below the phase-out start; 28 %"),
    ("single", 300_000, 300_000, "AMTI 600k inside the phase-out"),
    ("single", 400_000, 250_000, "AMTI 650k inside the phase-out"),
    ("single", 600_000, 50_000, "AMTI 650k inside the phase-out; regular tax higher: no AMT"),
    ("single", 600_000, 60_000, "AMTI 660k inside the phase-out; small AMT"),
    ("single", 400_000, 600_000, "AMTI 1M past the phase-out: exemption gone"),
    ("single", 600_000, 400_000, "AMTI 1M exemption gone; 28 %"),
    ("joint", 200_000, 0, "no spread; no AMT"),
    ("joint", 200_000, 100_000, "full exemption; 26 % only"),
    ("joint", 200_000, 250_000, "full exemption; into 28 %"),
    ("joint", 300_000, 400_000, "AMTI 700k below the phase-out start"),
    ("joint", 600_000, 300_000, "AMTI 900k below the phase-out start; regular tax high"),
    ("joint", 400_000, 700_000, "AMTI 1.1M inside the phase-out"),
    ("joint", 500_000, 700_000, "AMTI 1.2M inside the phase-out"),
    ("joint", 600_000, 1_000_000, "AMTI 1.6M past the phase-out: exemption gone"),
]
# Itemizers: the same kind of exercise in California and New York City, where
# the state and local income tax is itemized for the regular tax and added
# back for the AMT (Form 6251 line 2a). (state, city, filing, wages, spread, what)
AMT_ITEMIZER_CASES = [
    ("CA", "", "single", 300_000, 100_000, "CA itemizer; SALT added back; 28 %"),
    ("CA", "", "single", 400_000, 250_000, "CA itemizer; AMTI inside the phase-out"),
    ("CA", "", "joint", 500_000, 300_000, "CA itemizer; below the phase-out start"),
    ("NY", "NYC", "single", 300_000, 150_000, "NYC itemizer; SALT added back"),
    ("NY", "NYC", "joint", 400_000, 700_000, "NYC itemizer; AMTI inside the phase-out"),
]


def tc_run(cases: list[tuple], salt: list[float] | None = None) -> dict[str, list[float]]:
    """cases: (filing, wages, spread, ...); salt: state and local income tax (Schedule A line 5a)."""
    import pandas as pd
    import taxcalc as tc

    n = len(cases)
    df = pd.DataFrame({
        "RECID": list(range(1, n + 1)),
        "MARS": [1 if c[0] == "single" else 2 for c in cases],
        "XTOT": [1 if c[0] == "single" else 2 for c in cases],
        "FLPDYR": [YEAR] * n,
        "age_head": [35] * n,
        "age_spouse": [0 if c[0] == "single" else 35 for c in cases],
        "e00200": [float(c[1]) for c in cases],
        "e00200p": [float(c[1]) for c in cases],
        "e00200s": [0.0] * n,
        "cmbtp": [float(c[2]) for c in cases],
        "e18400": [float(x) for x in (salt or [0.0] * n)],
    })
    recs = tc.Records(data=df, start_year=YEAR, gfactors=None, weights=None, adjust_ratios=None)
    calc = tc.Calculator(policy=tc.Policy(), records=recs, verbose=False)
    calc.advance_to_year(YEAR)
    calc.calc_all()
    names = ["taxbc", "c62100", "c09600", "c05800", "niit", "iitax", "c00100", "c04800", "standard",
             "payrolltax", "c18300"]
    return {k: [float(x) for x in calc.array(k)] for k in names}


def tc_tmt(amti: float, filing: str) -> float:
    """Form 6251 lines 5-7 from Tax-Calculator's AMTI and its own 2026 parameters."""
    import taxcalc as tc

    pol = tc.Policy()
    pol.set_year(YEAR)
    j = 0 if filing == "single" else 1
    em = float(pol.AMT_em[0][j]) - float(pol.AMT_prt[0]) * max(0.0, amti - float(pol.AMT_em_ps[0][j]))
    base = max(0.0, amti - max(0.0, em))
    brk = float(pol.AMT_brk1[0][j])
    return float(pol.AMT_rt1[0]) * base + float(pol.AMT_rt2_addon[0]) * max(0.0, base - brk)


def pe_amt(cases: list[tuple]) -> tuple[dict[str, list[float]], list[float]]:
    """cases: (state, city, filing, wages, spread). PolicyEngine with SALT = the state and local
    liability (its fixed point, as in the grid), then amt_income overridden to its own value plus
    the spread. Returns the AMT lines and the SALT used."""
    from policyengine_us import Simulation

    rows = [dict(state=c[0], city=c[1], filing=c[2], wages=c[3]) for c in cases]
    _, v = pe_grid(rows)
    salt = [a + b for a, b in zip(v["state_income_tax"], v["nyc_income_tax"])]
    base = pe_read_amt(Simulation(situation=pe_situation(rows, salt)))
    sim = Simulation(situation=pe_situation(rows, salt, [float(c[4]) for c in cases], base["amt_income"]))
    out = pe_read_amt(sim)
    # The state and local tax must not move with the spread (neither PolicyEngine's state AMTs nor
    # tcsim see it): check, so that the SALT given to Tax-Calculator is the one PolicyEngine used.
    st = [a + b for a, b in zip(out["state_income_tax"], out["nyc_income_tax"])]
    assert max(abs(a - b) for a, b in zip(st, salt)) < 0.01, "state tax moved with amt_income"
    return out, salt


def pe_read_amt(sim) -> dict[str, list[float]]:
    names = ["amt_income", "amt_base_tax", "alternative_minimum_tax", "income_tax_main_rates",
             "capital_gains_tax", "income_tax_before_credits", "net_investment_income_tax",
             "state_income_tax", "nyc_income_tax", "tax_unit_itemizes"]
    return {n: pe_calc(sim, n) for n in names}


def write_amt(out: str) -> None:
    # (state, city, filing, wages, spread, what)
    cases = [("TX", "", fl, w, sp, what) for fl, w, sp, what in AMT_CASES] + list(AMT_ITEMIZER_CASES)
    pe, salt = pe_amt(cases)
    t = tc_run([(c[2], c[3], c[4]) for c in cases], salt)
    # Wages-only federal cross-check: Tax-Calculator vs PolicyEngine, TX (no SALT), standard deduction.
    xcases = [("TX", "", f, w, 0) for f in FILINGS for w in WAGES]
    px, _ = pe_amt(xcases)
    tx = tc_run([(c[2], c[3], c[4]) for c in xcases])
    path = os.path.join(out, f"amt_{YEAR}.csv")
    with open(path, "w", newline="") as f:
        f.write(f"# tcsim tax vectors, tax year {YEAR}: ISO exercises and the AMT.\n")
        f.write(f"# Oracle: {versions('taxcalc')} (PSL Tax-Calculator, 2026 current law, OBBBA);\n")
        f.write(f"#   cross-check: {versions('policyengine-us')}. Written {datetime.date.today().isoformat()}\n")
        f.write("#   by tools/tax_vectors.py (not run by CI).\n")
        f.write("# Household: one earner aged 35 (joint: spouse 35, no income), no dependents, wages only;\n")
        f.write("#   iso_spread = ISO exercise spread kept past year end (Form 6251 line 2i), given to\n")
        f.write("#   Tax-Calculator as cmbtp (income on Form 6251 not in AGI, lines 2c-2t and 3).\n")
        f.write("#   TX rows: no state tax, standard deduction (added back for the AMT). CA / NYC rows:\n")
        f.write("#   salt = the state and local income-tax liability PolicyEngine computes (the SALT\n")
        f.write("#   fixed point of policyengine_2026.csv), given to Tax-Calculator as e18400; it itemizes\n")
        f.write("#   SALT capped and phased down, and adds it back for the AMT (line 2a). Neither oracle\n")
        f.write("#   lets the spread change the state tax (no state AMT on it; tcsim models none either).\n")
        f.write("# Columns: regular = taxcalc taxbc (regular tax before credits); amti = taxcalc c62100;\n")
        f.write("#   salt_deduction = taxcalc c18300; tentative_minimum = Form 6251 line 9: taxbc + c09600\n")
        f.write("#   where the AMT is positive (exact), else lines 5-7 recomputed from c62100 with taxcalc's\n")
        f.write("#   own 2026 AMT parameters (tmt_source says which); amt = taxcalc c09600;\n")
        f.write("#   federal_total = c05800 + niit (= iitax here);\n")
        f.write("#   pe_* = PolicyEngine with amt_income overridden to its own amt_income + iso_spread:\n")
        f.write("#   pe_regular = income_tax_main_rates + capital_gains_tax, pe_tentative_minimum =\n")
        f.write("#   amt_base_tax (line 7 without Part III: no gains here), pe_amt = alternative_minimum_tax.\n")
        worst = 0.0
        for k, (_, _, fl, w, _) in enumerate(xcases):
            a = tx["iitax"][k]
            b = px["income_tax_before_credits"][k] + px["net_investment_income_tax"][k]
            worst = max(worst, abs(a - b))
            f.write(f"# cross-check wages only {fl} {w}: taxcalc iitax {money(a)}, policyengine {money(b)}, "
                    f"difference {money(a - b)}\n")
        worst_amt = max(max(abs(t["taxbc"][k] - pe["income_tax_main_rates"][k] - pe["capital_gains_tax"][k]),
                            abs(t["c09600"][k] - pe["alternative_minimum_tax"][k])) for k in range(len(cases)))
        f.write(f"# cross-check summary: wages-only federal tax, largest |taxcalc - policyengine| = {money(worst)};\n")
        f.write(f"#   AMT cases, largest |difference| in regular tax or AMT = {money(worst_amt)}.\n")
        cols = ["id", "state", "city", "filing", "wages", "iso_spread", "case", "salt", "salt_deduction", "amti",
                "regular", "tentative_minimum", "tmt_source", "amt", "federal_total", "pe_amt_income",
                "pe_regular", "pe_tentative_minimum", "pe_amt"]
        f.write(",".join(cols) + "\n")
        for k, (st, city, fl, w, sp, what) in enumerate(cases):
            assert "," not in what
            amt = t["c09600"][k]
            if amt > 0:
                tmt, src = t["taxbc"][k] + amt, "taxbc+c09600"
            else:
                tmt, src = tc_tmt(t["c62100"][k], fl), "recomputed"
            loc = (st + ("-" + city if city else "")).lower()
            cells = [f"{loc}-{fl}-w{w // 1000}k-iso{sp // 1000}k", st, city, fl, money(w), money(sp), what,
                     money(salt[k]), money(t["c18300"][k]), money(t["c62100"][k]),
                     money(t["taxbc"][k]), money(tmt), src, money(amt), money(t["c05800"][k] + t["niit"][k]),
                     money(pe["amt_income"][k]), money(pe["income_tax_main_rates"][k] + pe["capital_gains_tax"][k]),
                     money(pe["amt_base_tax"][k]), money(pe["alternative_minimum_tax"][k])]
            f.write(",".join(cells) + "\n")
    print(f"wrote {path} ({len(cases)} households)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                                  "tax_vectors"))
    ap.add_argument("--only", choices=["pe", "amt"])
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    if a.only in (None, "pe"):
        write_pe(a.out)
    if a.only in (None, "amt"):
        write_amt(a.out)


if __name__ == "__main__":
    main()
