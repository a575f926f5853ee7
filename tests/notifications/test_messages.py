import pytest

from scheduler.notifications import messages

EVENTS = [
    "booking_confirmed",
    "appointment_cancelled",
    "appointment_rescheduled",
    "appointment_cancelled_by_office",
    "appointment_reminder",
    "outreach_approved",
    "outreach_declined",
    "card_scheduled",
    "card_date_moved",
    "card_ready",
    "card_uncollected",
    "recording_rejected",
    "home_visit_planned",
    "household_booking_confirmed",
]


def test_every_event_has_a_documented_template():
    assert set(EVENTS) <= set(messages.TEMPLATES)
    for event in EVENTS:
        doc = messages.TEMPLATES[event].__doc__
        assert doc and "Context:" in doc, event


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("locale", ["id", "en"])
def test_sms_fits_one_gsm7_part_and_carries_code_and_link(ctx, event, locale):
    context = messages.sample_context(event)
    rendered = messages.render(event, context, locale)
    assert len(rendered.sms) <= 160, rendered.sms
    assert messages.is_gsm7(rendered.sms), rendered.sms
    assert rendered.subject and rendered.text
    if event.startswith(("appointment", "booking", "card")):
        assert context["code"] in rendered.sms
        assert context["code"] in rendered.text
        assert context["link"] in rendered.sms
        assert context["link"] in rendered.text


@pytest.mark.parametrize("event", EVENTS)
def test_english_is_translated(ctx, event):
    context = messages.sample_context(event)
    indonesian = messages.render(event, context, "id")
    english = messages.render(event, context, "en")
    assert english.text != indonesian.text
    assert english.subject != indonesian.subject


def test_booking_text_in_both_languages(ctx):
    context = messages.sample_context("booking_confirmed")
    id_ = messages.render("booking_confirmed", context, "id")
    en = messages.render("booking_confirmed", context, "en")
    assert "Sel 8 Des 10.00 WIB" in id_.text
    assert "Kantor Kecamatan Kota Kudus, Jl. Jenderal Sudirman 1" in id_.text
    assert "Tue 8 Dec 10:00 WIB" in en.text
    assert en.text.startswith("Your e-KTP recording appointment")


def test_long_site_names_are_shortened_in_the_sms_only(ctx):
    context = messages.sample_context("booking_confirmed")
    context["site"] = "Balai Desa " + "Panjang Sekali " * 12
    rendered = messages.render("booking_confirmed", context, "id")
    assert len(rendered.sms) <= 160
    assert "..." in rendered.sms and context["link"] in rendered.sms
    assert context["site"] in rendered.text


def test_office_reason_is_shortened_not_the_link(ctx):
    context = messages.sample_context("appointment_cancelled_by_office")
    context["reason"] = (
        "Perangkat perekaman rusak dan teknisi dari provinsi baru datang minggu depan"
    )
    rendered = messages.render("appointment_cancelled_by_office", context, "id")
    assert len(rendered.sms) <= 160
    assert rendered.sms.endswith(context["link"])
    assert context["reason"] in rendered.text


def test_zones_are_named_for_residents(ctx):
    context = messages.sample_context("appointment_reminder")
    context["starts_at"] = "2026-12-08T10:00:00+09:00"
    assert "10.00 WIT" in messages.render("appointment_reminder", context, "id").text
    context["starts_at"] = "2026-12-08T10:00:00+08:00"
    assert "10.00 WITA" in messages.render("appointment_reminder", context, "id").text


def test_non_gsm_characters_are_replaced_in_sms(ctx):
    context = messages.sample_context("card_ready")
    context["pickup_site"] = "Kantor “Kecamatan” Jati — ruang 2 ☺"
    rendered = messages.render("card_ready", context, "id")
    assert messages.is_gsm7(rendered.sms)
    assert 'Kantor "Kecamatan" Jati' in rendered.sms


def test_cards_accept_dates_and_place_objects(ctx):
    from datetime import date

    context = messages.sample_context("card_scheduled")
    context["pickup_from"] = date(2026, 12, 20)
    context["pickup_site"] = {"id": 3, "name": "Kecamatan Jati"}
    rendered = messages.render("card_scheduled", context, "id")
    assert "Min 20 Des 2026" in rendered.text and "Kecamatan Jati" in rendered.text


def test_card_pickup_site_defaults_to_the_recording_site(ctx):
    context = messages.sample_context("card_ready")
    del context["pickup_site"]
    assert context["site"] in messages.render("card_ready", context, "id").text


def test_missing_context_is_named(ctx):
    with pytest.raises(messages.MissingContext) as exc:
        messages.render("card_scheduled", {"code": "ACDE3467"}, "id")
    assert "pickup_from" in str(exc.value)


def test_unknown_event_gets_a_generic_message(ctx):
    rendered = messages.render("something_new", {"code": "ACDE3467", "link": "http://x/y"}, "en")
    assert "ACDE3467" in rendered.text and len(rendered.sms) <= 160


def test_unknown_locale_falls_back_to_indonesian(ctx):
    context = messages.sample_context("card_ready")
    assert (
        messages.render("card_ready", context, "fr").text
        == messages.render("card_ready", context, "id").text
    )


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("locale", ["id", "en"])
def test_a_long_public_url_keeps_code_and_link_in_the_sms(ctx, event, locale):
    context = messages.sample_context(event)
    context["link"] = (
        "https://antre.disdukcapil.kuduskab.go.id/janji/ACDE3467?s=AbCdEfGhIjKlMnOpQrStUvWxYz0"
    )
    context["site"] = "Kantor Kecamatan Kota Kudus (Gedung Pelayanan Terpadu)"
    sms = messages.render(event, context, locale).sms
    assert len(sms) <= 160 and messages.is_gsm7(sms)
    if event.startswith(("appointment", "booking", "card")):
        assert context["code"] in sms and context["link"] in sms
        assert not sms.startswith("KTP-el ACDE3467 https")  # still says what happened
        assert "-," not in sms and " - " not in sms


@pytest.mark.parametrize("locale", ["id", "en"])
def test_a_card_that_lost_its_date_says_it_waits_for_stock(ctx, locale):
    context = {
        **messages.sample_context("card_date_moved"),
        "pickup_from": None,
        "status": "awaiting_stock",
        "queue_position": 12,
    }
    rendered = messages.render("card_date_moved", context, locale)
    assert "12" in rendered.text and "12" in rendered.sms
    assert context["code"] in rendered.sms and len(rendered.sms) <= 160
    assert ("blangko" in rendered.text) if locale == "id" else ("blank" in rendered.text)
