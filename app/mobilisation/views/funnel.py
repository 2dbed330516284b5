"""The year's mobilisation funnel by donor country (app/stats/mobilisation_figures.py)."""

from flask import render_template

from app.core import permissions as rules
from app.core.dates import today_vn
from app.core.lazy import LazyValue, lazy_function
from app.core.listing import arg_year
from app.core.permissions import requires
from app.extensions import db
from app.mobilisation import queries
from app.mobilisation.views import bp

# pandas is imported by the first request of this page, not at start-up.
_FIGURES_MODULE = "app.stats.mobilisation_figures"
FIGURES = LazyValue(_FIGURES_MODULE, "FIGURES")
load_mobilisation_frames = lazy_function(_FIGURES_MODULE, "load_mobilisation_frames")
mobilisation_funnel = lazy_function(_FIGURES_MODULE, "mobilisation_funnel")


@bp.route("/pheu")
@requires(rules.read_mobilisation)
def funnel():
    year = arg_year() or today_vn().year
    frames = load_mobilisation_frames(db.session.connection(), year)
    figures = mobilisation_funnel(**frames, year=year)
    years = sorted(set(queries.years_in_use()) | {year}, reverse=True)
    return render_template(
        "mobilisation/funnel.html", figures=figures, year=year, years=years, keys=FIGURES
    )
