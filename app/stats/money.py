"""Exact money for the report: USD totals summed as exact fractions and rounded half up once,
after the sum. Rates are stored with 6 decimals, so they are handled as integer millionths.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import floor

import pandas as pd


def round_half_up_fraction(value: Fraction) -> int:
    """floor(value + 1/2): half up (2.5 -> 3, 0.5 -> 1) for the non-negative sums here."""
    return floor(value + Fraction(1, 2))


def usd_rate_micros(frame: pd.DataFrame) -> pd.Series:
    """Each row's VND-per-USD rate in millionths: ty_gia_usd, or ty_gia for a USD amount.

    <NA> when neither applies (the row is counted in usd_missing).
    """
    rate = frame["rate_usd"].where(frame["rate_usd"] > 0)
    fallback = frame["rate_vnd"].where((frame["currency"] == "USD") & (frame["rate_vnd"] > 0))
    micros = (rate.fillna(fallback) * 1_000_000).round()
    return micros.astype("Float64").astype("Int64")


def usd_total(
    value_vnd: pd.Series, rate_micros: pd.Series, rows: pd.Series | None = None
) -> tuple[Decimal, int]:
    """(Σ value_vnd / rate rounded half up to cents, rows without a rate).

    `rows`: how many rows each value stands for (a total of several disbursements with the
    same rate), else one each.

    The sum is exact: values are grouped by rate (set-based), then Σ s·10⁶/r is computed
    in integers with enough extra digits to know the rounding, with a Fraction fallback for
    the rare sum that lies on a half cent.
    """
    known = rate_micros.notna()
    missing = int((~known).sum()) if rows is None else int(rows[~known].sum())
    if not known.any():
        return Decimal("0.00"), missing
    sums = value_vnd[known].groupby(rate_micros[known].astype("int64")).sum()
    scale = 10**24
    total = inexact = 0
    pairs = [(int(r), int(s)) for r, s in sums.items()]
    for rate, amount in pairs:
        quotient, remainder = divmod(amount * 100_000_000 * scale, rate)  # cents x scale
        total += quotient
        inexact += remainder != 0
    low = (total + scale // 2) // scale
    high = (total + inexact + scale // 2) // scale
    if low != high:  # the exact sum is within a rounding error of a half cent
        exact = sum((Fraction(s * 100_000_000, r) for r, s in pairs), Fraction(0))
        low = round_half_up_fraction(exact)
    return Decimal(low).scaleb(-2), missing
