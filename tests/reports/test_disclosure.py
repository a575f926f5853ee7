"""No published figure is a small count, nor can one be worked out from the rest."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.reports import disclosure


def _areas(*pairs):
    return [(f"k{i}", f"K{i}", w, r) for i, (w, r) in enumerate(pairs)]


def test_large_figures_are_published_as_they_are():
    cells = disclosure.coverage_cells(_areas((1000, 990), (2000, 1500)))
    assert [(c.wktp, c.recorded, c.not_recorded, c.coverage) for c in cells] == [
        (1000, 990, 10, Decimal("99.00")),
        (2000, 1500, 500, Decimal("75.00")),
    ]
    assert not any(c.suppressed for c in cells)


def test_a_small_not_recorded_count_is_withheld_with_a_partner_and_a_bound():
    # 3 residents of K0 not recorded: K0 hides it; K1 (the next fewest) is withheld too,
    # or the regency total minus K1 and K2 would give K0's 3.
    cells = disclosure.coverage_cells(_areas((1000, 997), (2000, 1990), (3000, 2000)))
    k0, k1, k2 = cells
    assert (k0.recorded, k0.not_recorded, k0.coverage, k0.small) == (
        None,
        None,
        None,
        "not_recorded",
    )
    assert (k0.coverage_min, k0.coverage_max) == (Decimal("99.60"), Decimal("99.90"))
    assert k0.wktp == 1000
    assert k1.suppressed and k1.recorded is None and k1.small is None
    assert (k1.coverage_min, k1.coverage_max) == (None, None)
    assert not k2.suppressed and k2.not_recorded == 1000


def test_partners_are_added_until_the_withheld_sum_is_no_small_number():
    # K0 and K1 each have 1 not recorded: together still 2, so K2 joins them.
    cells = disclosure.coverage_cells(_areas((500, 499), (600, 599), (700, 650), (800, 700)))
    assert [c.suppressed for c in cells] == [True, True, True, False]


def test_a_small_wktp_hides_the_wktp_of_every_withheld_area():
    cells = disclosure.coverage_cells(_areas((3, 3), (900, 800), (950, 900)))
    assert [c.wktp for c in cells] == [None, 900, None]  # K2 has the fewest not recorded
    assert cells[0].small == "wktp"


def test_zero_is_published():
    cells = disclosure.coverage_cells(_areas((1000, 1000), (10, 0)))
    assert [(c.not_recorded, c.recorded) for c in cells] == [(0, 1000), (10, 0)]
    assert disclosure.count(0) == 0 and disclosure.count(4) is None and disclosure.count(5) == 5


def test_a_small_regency_hides_its_own_figure():
    cell = disclosure.total_cell("33.19", "Kudus", 100, 98)
    assert cell.suppressed and cell.recorded is None and cell.coverage is None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 60)).map(lambda t: (t[0] + t[1], t[0])),
        min_size=1,
        max_size=7,
    )
)
def test_no_withheld_figure_can_be_worked_out(pairs):
    areas = _areas(*pairs)
    cells = disclosure.coverage_cells(areas)
    total_recorded = sum(r for _k, _n, _w, r in areas)
    total_missing = sum(w - r for _k, _n, w, r in areas)
    withheld = [(a, c) for a, c in zip(areas, cells, strict=True) if c.suppressed]
    for a, c in zip(areas, cells, strict=True):
        for value in (c.wktp, c.recorded, c.not_recorded):
            assert not disclosure.is_small(value)  # nothing small is ever published
        if not c.suppressed:
            assert (c.recorded, c.not_recorded) == (a[3], a[2] - a[3])
    if withheld and len(withheld) < len(cells):
        # What subtraction from the regency's total gives is a sum over two or more areas
        # that is itself no small number.
        shown_recorded = sum(c.recorded for c in cells if not c.suppressed)
        shown_missing = sum(c.not_recorded for c in cells if not c.suppressed)
        assert len(withheld) >= 2
        assert not disclosure.is_small(total_recorded - shown_recorded)
        assert not disclosure.is_small(total_missing - shown_missing)
    for a, c in withheld:
        if c.coverage_min is not None:
            exact = Decimal(a[3]) * 100 / Decimal(a[2])
            assert c.coverage_min <= exact <= c.coverage_max
