"""The catalogue: which sites a user's site scope lets through, and listing them."""

import pytest

from scheduler.errors import NotFound
from scheduler.extensions import db
from scheduler.sites import services
from tests.factories import make_site


def test_a_site_scope_lets_its_own_sites_through_and_none_means_every_site(ctx):
    refusal = NotFound()
    services.check_site(None, 7, refusal)
    services.check_site({3, 7}, 7, refusal)
    with pytest.raises(NotFound) as refused:
        services.check_site({3}, 7, refusal)
    assert refused.value is refusal
    with pytest.raises(NotFound):
        services.check_site(set(), 7, refusal)


def test_sites_are_listed_within_a_scope_in_the_usual_order(ctx):
    a, b, c = make_site("Balai Desa A", kind="village_hall"), make_site("Kantor B"), make_site("C")
    db.session.flush()
    assert services.list_sites(site_ids={a.id, b.id}) == [b, a]
    assert services.list_sites(site_ids=set()) == []
    assert {a, b, c} <= set(services.list_sites(site_ids=None))
