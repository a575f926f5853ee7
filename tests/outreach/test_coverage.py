"""Coverage (outreach/coverage.py): totals against the target."""

from decimal import Decimal

from scheduler.outreach import coverage


def test_coverage_totals_against_the_target(ctx):
    coverage.save_figure("Dawe", "Colo", 1000, 990)
    coverage.save_figure("Dawe", "Colo", 1000, 995)  # typed again: updated, not doubled
    coverage.save_figure("Bae", "Panjang", 1000, 999)
    coverage.save_figure("Bae", "Panjang", 300, 200, school="SMA Negeri 1 Kudus")
    totals = coverage.totals()
    assert (totals.wktp, totals.recorded, totals.not_recorded) == (2000, 1994, 6)
    assert totals.coverage == Decimal("99.70") and totals.meets_target
    coverage.save_figure("Bae", "Panjang", 1000, 980)
    totals = coverage.totals()
    assert totals.coverage == Decimal("98.75") and not totals.meets_target
    # 99.40 % of 2000 is 1988: 13 more recordings.
    assert totals.short_of_target == 13
    assert [f.name for f in coverage.ranking("desa")] == ["Panjang", "Colo"]
