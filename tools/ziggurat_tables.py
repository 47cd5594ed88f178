#!/usr/bin/env python3
"""Writes src/engine/normal/tables.rs: the 256-layer ziggurat for the
standard normal (Marsaglia and Tsang 2000) that src/engine/normal.rs samples.

The density is taken unnormalised, f(x) = exp(-x^2 / 2). The layers have
equal area v: the base strip is the rectangle [0, R] x [0, f(R)] plus the
tail beyond R; layer i (1 <= i <= 255) is [0, x_i] x [f(x_i), f(x_{i+1})],
with x_1 = R and x_256 = 0. R is the root that closes the top layer,
x_255 (1 - f(x_255)) = v, found by bisection in 60-digit arithmetic
(mpmath); x_0 = v / f(R) is the base strip's width as a rectangle of height
f(R). Every value is rounded once to the nearest double.

Not run by CI: the table file is committed, and the tests in normal.rs check
its layers' areas. Run: python3 tools/ziggurat_tables.py
"""

import os

from mpmath import mp, mpf, erfc, exp, log, pi, sqrt

mp.dps = 60
LAYERS = 256


def f(x):
    return exp(-x * x / 2)


def area(r):
    return r * f(r) + sqrt(pi / 2) * erfc(r / sqrt(2))


def layers(r):
    """x_0..x_256 for a trial R, and the top layer's area minus v (None if
    the recursion leaves the density first: R too small)."""
    v = area(r)
    x = [v / f(r), r]
    for _ in range(1, LAYERS - 1):
        y = v / x[-1] + f(x[-1])
        if y >= 1:
            return x, v, None
        x.append(sqrt(-2 * log(y)))
    top = x[-1] * (1 - f(x[-1]))
    x.append(mpf(0))
    return x, v, top - v


def solve():
    lo, hi = mpf(3), mpf(4)
    for _ in range(220):
        mid = (lo + hi) / 2
        _, _, miss = layers(mid)
        # A larger R makes v smaller and the layers thinner. Too small an R:
        # the recursion reaches the top before 255 layers, or leaves the top
        # layer short of v; too large: the top layer is wider than v.
        if miss is None or miss < 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def lines(name, values):
    out = [f"pub(super) static {name}: [f64; {len(values)}] = ["]
    row = []
    for v in values:
        row.append(repr(float(v)) if float(v) != 0 else "0.0")
        if len(row) == 4:
            out.append("    " + ", ".join(row) + ",")
            row = []
    if row:
        out.append("    " + ", ".join(row) + ",")
    out.append("];")
    return out


def main():
    r = solve()
    x, v, miss = layers(r)
    assert miss is not None and abs(miss) < mpf(10) ** -40, miss
    fx = [f(xi) for xi in x]
    text = [
        "//! The 256-layer ziggurat of the standard normal, written by",
        "//! `tools/ziggurat_tables.py` (see its docstring): do not edit.",
        "",
        "/// The base strip's edge, where the tail begins (`X[1]`).",
        f"pub(super) const R: f64 = {float(r)!r};",
        "",
        "/// Each layer's area under `exp(-x^2 / 2)` (the sampler needs only",
        "/// the layers; the tests check them against it).",
        "#[cfg(test)]",
        f"pub(super) const V: f64 = {float(v)!r};",
        "",
        "/// `X[i]`: layer `i`'s right edge (`X[0] = V / f(R)`, `X[256] = 0`).",
        "#[rustfmt::skip]",
        *lines("X", x),
        "",
        "/// `F[i] = exp(-X[i]^2 / 2)` (`F[256] = 1`).",
        "#[rustfmt::skip]",
        *lines("F", fx),
        "",
    ]
    path = os.path.join(os.path.dirname(__file__), "..", "src", "engine", "normal", "tables.rs")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as out:
        out.write("\n".join(text))
    print(f"R = {mp.nstr(r, 25)}, v = {mp.nstr(v, 25)}")


if __name__ == "__main__":
    main()
