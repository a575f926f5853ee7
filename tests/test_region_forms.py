"""Every form that lists kecamatan or desa takes them from the configured regency: the
site form, the outreach request and the coverage figures. The desa select offers the
chosen kecamatan's desa; without JavaScript a button shows them (the page comes back with
what was typed), with JavaScript js/area.js narrows the list from /api/v1/regency."""

import re

import sqlalchemy as sa

from scheduler.extensions import db
from scheduler.outreach.models import CoverageFigure, OutreachRequest
from scheduler.sites.models import Site
from tests.factories import make_user


def login(client, role):
    user = make_user(role=role)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return user


def options(html, select):
    """(optgroup labels, option values) of a select on the page."""
    body = re.search(rf'<select[^>]*name="{select}"[^>]*>(.*?)</select>', html, re.S)[1]
    return re.findall(r'<optgroup label="([^"]*)"', body), re.findall(
        r'<option[^>]*value="([^"]*)"', body
    )


REQUEST = {
    "institution_kind": "school",
    "institution_name": "SMA Negeri 1 Pasar Kemis",
    "address": "Jl. Raya Pasar Kemis",
    "expected_participants": "120",
    "preferred_date_1": "2026-12-14",
    "preferred_date_2": "2026-12-15",
    "contact_name": "Bu Kepala Sekolah",
    "contact_phone": "081234567890",
}


def test_the_outreach_request_offers_the_chosen_kecamatans_desa(client, use_regency):
    use_regency("36.03")
    login(client, "coordinator")
    page = client.get("/jemput-bola/baru").get_data(as_text=True)
    kecamatan_groups, _values = options(page, "desa")
    assert "Pasar Kemis" in kecamatan_groups and len(kecamatan_groups) == 30  # "" and 29
    assert 'data-kecamatan-of="kecamatan"' in page and "js/area.js" in page
    assert 'data-regency-url="/api/v1/regency"' in page
    # Without JavaScript: choose the kecamatan, press the button, pick from its desa.
    step = client.post(
        "/jemput-bola/baru", data={**REQUEST, "kecamatan": "36.03.12", "area_step": "1"}
    )
    html = step.get_data(as_text=True)
    assert step.status_code == 200 and "field-error" not in html
    groups, values = options(html, "desa")
    assert groups == ["", "Pasar Kemis"]
    assert "Suka Asih" in values and "Sukamantri" in values and "Balaraja" not in values
    assert "SMA Negeri 1 Pasar Kemis" in html  # what was typed stays
    done = client.post(
        "/jemput-bola/baru", data={**REQUEST, "kecamatan": "36.03.12", "desa": "Suka Asih"}
    )
    assert done.status_code == 302
    req = db.session.scalar(sa.select(OutreachRequest))
    assert (req.kecamatan, req.kecamatan_code, req.desa) == ("Pasar Kemis", "36.03.12", "Suka Asih")


def test_a_desa_of_another_kecamatan_is_refused_and_the_list_narrows(client, use_regency):
    use_regency("36.03")
    login(client, "coordinator")
    resp = client.post(
        "/jemput-bola/baru", data={**REQUEST, "kecamatan": "36.03.12", "desa": "Balaraja"}
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'id="desa-error"' in html and "Pasar Kemis" in html
    assert options(html, "desa")[0] == ["", "Pasar Kemis"]


def test_a_city_labels_its_units_kelurahan(client, use_regency):
    use_regency("73.71")
    login(client, "coordinator")
    page = client.get("/jemput-bola/baru").get_data(as_text=True)
    assert '<label for="desa">Kelurahan</label>' in page
    assert "(kelurahan)</option>" not in page  # all of them are: no need to say it per option
    use_regency("12.77")
    page = client.get("/jemput-bola/baru?lang=en").get_data(as_text=True)
    assert '<label for="desa">Desa/kelurahan (village)</label>' in page
    assert ">Wek I (kelurahan)</option>" in page  # a city with desa too marks its kelurahan


def test_the_site_form_lists_the_regencys_kecamatan_and_desa(client, use_regency):
    use_regency("12.77")
    login(client, "admin")
    page = client.get("/admin/lokasi/baru").get_data(as_text=True)
    _groups, kecamatan = options(page, "kecamatan_code")
    assert kecamatan == ["", "12.77.01", "12.77.02", "12.77.03", "12.77.04", "12.77.05", "12.77.06"]
    form = {
        "name": "Kantor Kelurahan Wek I",
        "kind": "subdistrict",
        "address": "Jl. Sudirman",
        "kecamatan_code": "12.77.01",
        "timezone": "Asia/Jakarta",
        "stations": "1",
        "slot_minutes": "30",
        "active": "y",
    }
    step = client.post("/admin/lokasi/baru", data={**form, "area_step": "1"})
    assert step.status_code == 200
    assert options(step.get_data(as_text=True), "desa")[0] == ["", "Padangsidimpuan Utara"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Site)) == 0
    wrong = client.post("/admin/lokasi/baru", data={**form, "desa": "Aek Bayur"})
    assert wrong.status_code == 422 and 'id="desa-error"' in wrong.get_data(as_text=True)
    assert client.post("/admin/lokasi/baru", data={**form, "desa": "Wek I"}).status_code == 302
    site = db.session.scalar(sa.select(Site))
    assert (site.kecamatan, site.kecamatan_code, site.desa) == (
        "Padangsidimpuan Utara",
        "12.77.01",
        "Wek I",
    )
    refused = client.post("/admin/lokasi/baru", data={**form, "kecamatan_code": "33.19.01"})
    assert refused.status_code == 422 and 'id="kecamatan_code-error"' in refused.get_data(
        as_text=True
    )


def test_coverage_figures_take_the_regencys_desa(client, use_regency):
    use_regency("73.71")
    login(client, "admin")
    page = client.get("/cakupan").get_data(as_text=True)
    assert "Tamalate" in options(page, "desa")[0]
    saved = client.post(
        "/cakupan",
        data={"kecamatan": "73.71.01", "desa": "Lette", "wktp": "900", "recorded": "880"},
    )
    assert saved.status_code == 302
    row = db.session.scalar(sa.select(CoverageFigure))
    assert (row.kecamatan, row.desa, row.wktp) == ("Mariso", "Lette", 900)
    wrong = client.post(
        "/cakupan", data={"kecamatan": "73.71.01", "desa": "Kramat", "wktp": "9", "recorded": "1"}
    )
    assert wrong.status_code == 422 and 'id="desa-error"' in wrong.get_data(as_text=True)
