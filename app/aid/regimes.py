"""The legal regime of an aid dossier by the date it was received: Decree 80/2020/NĐ-CP
until Decree 313/2025/NĐ-CP replaced it on 08/12/2025 (docs/decisions.md). Used as the
default of the dossier form, of imported items without one, and shown on the settings page."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RegimePeriod:
    regime: str  # an app.aid.models.Regime key
    received_from: date | None
    received_before: date | None


REGIME_PERIODS = (
    RegimePeriod("nd80_2020", None, date(2025, 12, 8)),
    RegimePeriod("nd313_2025", date(2025, 12, 8), None),
)


def regime_for(received_on: date) -> str:
    """The regime key of a dossier received on that date."""
    for period in REGIME_PERIODS:
        if (period.received_from is None or received_on >= period.received_from) and (
            period.received_before is None or received_on < period.received_before
        ):
            return period.regime
    raise ValueError(received_on)
