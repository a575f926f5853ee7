"""The base of every page form: WTForms' own messages ("This field is required.",
"Not a valid integer value.", ...) in the page's language; and render_form, the one way
a view shows a form's page again with what was wrong with it.

WTForms ships no Indonesian catalogue, so the project keeps one (the `wtforms` domain in
scheduler/translations/id). English pages use WTForms' own English text as it stands.
"""

import os

import wtforms
from babel.support import Translations
from flask import has_request_context, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

_DIRECTORY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "translations")
_LOADED = {}


def wtforms_translations():
    """The catalogue of WTForms' messages for the current page's locale (English: none,
    WTForms' messages are English)."""
    code = str(get_locale() or "id") if has_request_context() else "id"
    found = _LOADED.get(code)
    if found is None:
        found = _LOADED[code] = Translations.load(_DIRECTORY, [code], domain="wtforms")
    return found


class _TranslatedMeta:
    def get_translations(self, form):
        return _Gettext()


class _Gettext:
    """Resolved at each message, so a form built once still speaks the page's language."""

    def gettext(self, string):
        return wtforms_translations().gettext(string)

    def ngettext(self, singular, plural, n):
        return wtforms_translations().ngettext(singular, plural, n)


def form_errors(form):
    """{field's name: its first message} of what a form's own validation refused, in the
    form's order (the error summary lists them so); a list of sub-forms (a family's
    members) gives each member's own fields ("members-1-birth_date"), never the list."""
    return {f.name: f.errors[0] for f in refused_fields(form)}


def refused_fields(form):
    """The fields of `form` its validation refused, in order, those of a list or a form
    nested in it included (in their place): each has a message of its own."""
    for f in form:
        if isinstance(f, wtforms.FieldList | wtforms.FormField):
            yield from refused_fields(f)
        elif f.errors:
            yield f


def render_form(template, form=None, status=None, error=None, **context):
    """A page with a form and what was wrong with it: 200 on a GET, 422 after a POST
    (its own validation refused it), each message next to its field and all of them in
    the page's error summary.

    `form` (the context's `form` unless another is given: a page with several forms
    names the one refused) gives the page's `errors`. `error`, a DomainError a service
    raised, gives its message, its code, its fields and its status instead. An `errors`
    in the context wins: a view that shows a message on another field than the service
    named passes its own."""
    if form is None:
        form = context.get("form")
    if error is not None:
        context.setdefault("error_message", str(error.message))
        context.setdefault("error_code", error.code)
        errors = {name: str(message) for name, message in (error.fields or {}).items()}
        status = status or error.status
    else:
        errors = form_errors(form) if form is not None else {}
    if form is not None:
        context.setdefault("form", form)
    context.setdefault("errors", errors)
    if status is None:
        status = 422 if request.method == "POST" else 200
    return render_template(template, **context), status


class PageForm(FlaskForm):
    """A page form (CSRF from Flask-WTF) whose built-in messages follow the page's locale."""

    class Meta(_TranslatedMeta):
        pass


class SubForm(wtforms.Form):
    """A form nested with FormField, with the same translated messages."""

    class Meta(_TranslatedMeta):
        pass


# The date picker sends YYYY-MM-DD; older phones fall back to a text box where people
# type the date the Indonesian way.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


class LocalDateField(wtforms.DateField):
    """A date in any of DATE_FORMATS, with our own message when it cannot be read."""

    def __init__(self, label=None, validators=None, format=None, **kwargs):
        super().__init__(label, validators, format=format or DATE_FORMATS, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Tulis tanggal seperti 17-05-2000.")) from None
