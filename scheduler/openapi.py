"""Request parsing with pydantic schemas, and the OpenAPI document built from the code.

An endpoint declares its contract with @api_doc(...); parse_body/parse_query validate
input against a schema and raise ValidationError naming each field at fault, in the
request's language.
"""

import json

from flask import current_app, request
from flask_babel import gettext as _
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError
from werkzeug.routing import IntegerConverter

from scheduler.errors import ValidationError

_SKIP_METHODS = {"HEAD", "OPTIONS"}


def api_doc(
    summary,
    *,
    body=None,
    response=None,
    status=200,
    auth=False,
    query=None,
    errors=(),
    description=None,
    multipart=None,
    produces=None,
    same_schema_for=(),
    body_required=True,
):
    """Declare an endpoint's contract for the OpenAPI document (same_schema_for: other
    statuses that answer with the response schema, such as /readyz's 503; body_required
    False: the body may be left out, see parse_optional_body)."""

    def deco(fn):
        fn._openapi = {
            "summary": summary,
            "body": body,
            "response": response,
            "status": status,
            "auth": auth,
            "query": query,
            "errors": errors,
            "description": description,
            "multipart": multipart,
            "produces": produces,
            "same_schema_for": same_schema_for,
            "body_required": body_required,
        }
        return fn

    return deco


def domain_error(message):
    """Raise inside a pydantic validator: the message is shown as it is."""
    return PydanticCustomError("domain", "{msg}", {"msg": str(message)})


def _message(err):
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "domain":
        return ctx["msg"]
    if kind == "missing":
        return _("Wajib diisi.")
    if kind in {"string_too_long", "too_long"}:
        return _("Paling banyak %(n)s karakter.", n=ctx.get("max_length"))
    if kind in {"string_too_short", "too_short"}:
        return (
            _("Wajib diisi.")
            if ctx.get("min_length", 1) <= 1
            else _("Paling sedikit %(n)s karakter.", n=ctx.get("min_length"))
        )
    if kind.startswith("string"):
        return _("Harus berupa teks.")
    if kind.startswith(("int", "float", "decimal")):
        return _("Harus berupa bilangan bulat.")
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        return _("Angka di luar batas yang diizinkan.")
    if kind.startswith("date") or kind.startswith("time"):
        return (
            _("Tanggal harus berformat YYYY-MM-DD.")
            if kind.startswith("date")
            else _("Waktu harus berformat HH:MM.")
        )
    if kind.startswith("bool"):
        return _("Harus bernilai true atau false.")
    if kind in {"literal_error", "enum"}:
        return _("Pilihan tidak sah.")
    if kind in {"list_type", "dict_type", "model_type", "model_attributes_type"}:
        return _("Jenis data tidak sah.")
    if kind == "value_error" and "email" in err.get("msg", "").lower():
        return _("Alamat email tidak sah.")
    return _("Isian tidak sah.")


def _has_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def validate(model, data, nested=False):
    """Validate `data` against a pydantic model; raise ValidationError with per-field messages
    (`nested`: a field inside a list or object is named by its path, `members.2.nik`)."""
    if not isinstance(data, dict):
        raise ValidationError(_("Isi permintaan harus berupa objek JSON."))
    # No text column takes a NUL character (PostgreSQL refuses it outright).
    known = {f.alias or name for name, f in model.model_fields.items()} | set(model.model_fields)
    bad = [key for key, value in data.items() if key in known and _has_nul(value)]
    if bad:
        raise ValidationError(
            fields={str(key): _("Berisi karakter yang tidak diizinkan.") for key in bad}
        )
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        fields = {}
        for err in exc.errors():
            loc = [str(p) for p in err["loc"]] or ["body"]
            fields.setdefault(".".join(loc) if nested else loc[0], _message(err))
        raise ValidationError(fields=fields) from None


def parse_body(model, nested=False):
    """The request's JSON body validated against `model` (any content type is read as JSON;
    `nested`: see `validate`)."""
    raw = request.get_data(cache=True)
    if not raw:
        raise ValidationError(_("Isi permintaan kosong; kirim objek JSON."))
    return validate(model, load_json(raw), nested=nested)


def parse_optional_body(model):
    """Like parse_body, but a request without a body is `model`'s defaults."""
    if not request.get_data(cache=True):
        return model()
    return parse_body(model)


def load_json(raw):
    """Parsed JSON text; ValidationError when it is malformed or absurdly nested (the
    parser gives up with a RecursionError around a thousand levels)."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(_("Isi permintaan bukan JSON yang sah.")) from None
    except RecursionError:
        raise _too_deep() from None
    if _depth_over(data, MAX_JSON_DEPTH):
        raise _too_deep()
    return data


# No request of this API nests deeper than a group booking's members (3 levels).
MAX_JSON_DEPTH = 32


def _depth_over(data, limit):
    """True when containers nest more than `limit` deep (iterative: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in children)
    return False


def _too_deep():
    return ValidationError(_("Isi permintaan terlalu bertingkat."))


def parse_query(model):
    """The query string validated against `model`."""
    return validate(model, request.args.to_dict())


# ---------------------------------------------------------------------------- document

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}


_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

# errors.py: every operation may answer these two.
UNAVAILABLE = {
    "description": (
        "`unavailable`: the database or the rate limits' storage (Redis) does not answer "
        "(down, restarting, unreachable); nothing was done. Send the request again after "
        "Retry-After seconds."
    ),
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": _ERROR_CONTENT,
}
TOO_LARGE = {
    "description": "`too_large`: the request body is over 64 KB (an upload: over its own limit).",
    "content": _ERROR_CONTENT,
}


def _schema_ref(model, components):
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _path_of(rule):
    path = rule.rule
    params = []
    for arg in rule.arguments:
        converter = rule._converters[arg]
        path = path.replace(f"<int:{arg}>", "{" + arg + "}").replace(f"<{arg}>", "{" + arg + "}")
        schema = {"type": "string"}
        if isinstance(converter, IntegerConverter):
            schema = {"type": "integer", "minimum": 0}
            if converter.max is not None:
                schema["maximum"] = converter.max
        params.append({"name": arg, "in": "path", "required": True, "schema": schema})
    return path, params


def build_openapi(app=None):
    """The OpenAPI 3.1 document of every /api/ endpoint that declares @api_doc."""
    app = app or current_app
    components = {"Error": ERROR_SCHEMA}
    paths = {}
    for rule, meta in _documented_rules(app):
        path, params = _path_of(rule)
        for method in sorted(rule.methods - _SKIP_METHODS):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, meta, params, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Antre KTP-el API",
            "version": "1.0.0",
            "description": "Booking e-KTP recording and card pickup at a Disdukcapil.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _documented_rules(app):
    """(rule, @api_doc contract) of each API endpoint that declares one, by path."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not (rule.rule.startswith("/api/") or rule.rule in ("/healthz", "/readyz")):
            continue
        view = app.view_functions.get(rule.endpoint)
        meta = getattr(view, "_openapi", None)
        if meta is not None:
            yield rule, meta


def _operation(rule, meta, params, components):
    """One method of one path: its summary, parameters, body, answers and security."""
    op = {"summary": meta["summary"], "operationId": rule.endpoint.replace(".", "_")}
    if meta["description"]:
        op["description"] = meta["description"]
    parameters = list(params)
    if meta["query"] is not None:
        parameters.extend(_query_parameters(meta["query"]))
    if parameters:
        op["parameters"] = parameters
    body = _request_body(meta, components)
    if body is not None:
        op["requestBody"] = body
    op["responses"] = _responses(meta, components, has_body=body is not None)
    if meta["auth"]:
        op["security"] = [{"bearer": []}]
    return op


def _query_parameters(model):
    """The query string's parameters, from its schema's properties."""
    qschema = model.model_json_schema()
    required = set(qschema.get("required", []))
    parameters = []
    for name, prop in qschema.get("properties", {}).items():
        prop = {k: v for k, v in prop.items() if k != "title"}
        if "anyOf" in prop:  # Optional[...]: document the non-null branch
            branches = [b for b in prop.pop("anyOf") if b.get("type") != "null"]
            prop.update(branches[0] if branches else {"type": "string"})
            prop.pop("default", None)
        parameters.append(
            {"name": name, "in": "query", "required": name in required, "schema": prop}
        )
    return parameters


def _request_body(meta, components):
    if meta["body"] is not None:
        return {
            "required": meta.get("body_required", True),
            "content": {"application/json": {"schema": _schema_ref(meta["body"], components)}},
        }
    if meta["multipart"] is not None:
        return {
            "required": True,
            "content": {"multipart/form-data": {"schema": meta["multipart"]}},
        }
    return None


def _responses(meta, components, *, has_body):
    """The success answer, then the errors every operation may give and its own."""
    ok = {"description": "OK"}
    if meta["produces"]:
        ok["content"] = {meta["produces"]: {"schema": {"type": "string", "format": "binary"}}}
    elif meta["response"] is not None:
        ok["content"] = {"application/json": {"schema": _schema_ref(meta["response"], components)}}
    responses = {str(meta["status"]): ok}
    for code in meta["same_schema_for"]:
        responses[str(code)] = {**ok, "description": "Not ready"}
    err = {"description": "Error", "content": _ERROR_CONTENT}
    responses.setdefault("503", UNAVAILABLE)
    if has_body:
        responses["413"] = TOO_LARGE
    for code in {"404", "422", "429", "409", "401", "403", *map(str, meta["errors"])}:
        responses.setdefault(code, err)
    if meta["status"] == 201 and meta["response"] is not None:
        responses["200"] = ok  # idempotent replays
    return responses
