"""One renderer for a page with a form (scheduler/forms.py render_form): 200 on a GET,
422 after a refused POST, a service's refusal at its own status; every message in the
page's error summary and next to its field."""

import re

from scheduler.errors import DuplicateBooking
from scheduler.forms import form_errors, render_form
from scheduler.privacy.forms import MyDataForm


def _summary(html):
    found = re.search(r'<div class="error-summary" role="alert">(.*?)</div>', html, re.S)
    return found.group(1) if found else None


def test_a_form_shown_on_a_get_answers_200_without_a_summary(app):
    with app.test_request_context("/data-saya"):
        html, status = render_form("privacy/ask.html", MyDataForm())
    assert status == 200
    assert _summary(html) is None


def test_a_refused_post_answers_422_with_each_fault_in_the_summary(app):
    with app.test_request_context("/data-saya", method="POST", data={"code": "", "nik": ""}):
        form = MyDataForm()
        assert not form.validate()
        html, status = render_form("privacy/ask.html", form)
    assert status == 422
    summary = _summary(html)
    assert list(form_errors(form)) == ["code", "nik"]  # the summary lists them in the form's order
    assert summary.index('href="#code"') < summary.index('href="#nik"')
    for name in ("code", "nik"):
        message = form_errors(form)[name]
        assert f'<a href="#{name}">{message}</a>' in summary
        assert f'<p id="{name}-error" class="field-error" role="alert">{message}</p>' in html


def test_a_services_refusal_answers_its_status_with_its_message_on_its_field(app):
    refused = DuplicateBooking("NIK ini sudah punya janji temu.", fields={"nik": "Sudah dipesan."})
    with app.test_request_context("/data-saya", method="POST", data={"code": "K7QX3MPA"}):
        html, status = render_form("privacy/ask.html", MyDataForm(), error=refused)
    assert status == 409
    summary = _summary(html)
    assert "NIK ini sudah punya janji temu." in summary
    assert '<a href="#nik">Sudah dipesan.</a>' in summary
    assert '<p id="nik-error" class="field-error" role="alert">Sudah dipesan.</p>' in html
