"""Home-visit JSON API: a request (no login), the list, the plan of a day, a result."""

from flask import jsonify
from flask_login import current_user

from scheduler.auth import api_roles
from scheduler.booking_limit import booking_limit
from scheduler.openapi import api_doc, parse_body, parse_query
from scheduler.outreach import services
from scheduler.outreach.api import bp
from scheduler.outreach.home_schemas import (
    HomeVisitEnvelope,
    HomeVisitIn,
    HomeVisitQuery,
    HomeVisitsOut,
    PlanIn,
    ResultIn,
    visit_json,
)


@bp.post("/home-visits")
@booking_limit()
@api_doc(
    "Ask for a recording at home (elderly, bedridden, disabled): the family or a village "
    "coordinator",
    body=HomeVisitIn,
    response=HomeVisitEnvelope,
    status=201,
)
def request_home_visit():
    data = parse_body(HomeVisitIn)
    visit = services.request_home_visit(services.HomeVisitInput(**data.model_dump()))
    return jsonify(visit=visit_json(visit)), 201


@bp.get("/home-visits")
@api_roles("admin", "staff")
@api_doc("Home visits, open ones first", response=HomeVisitsOut, query=HomeVisitQuery, auth=True)
def list_home_visits():
    query = parse_query(HomeVisitQuery)
    return jsonify(visits=[visit_json(v) for v in services.list_home_visits(query.status or None)])


@bp.post("/home-visits/plan")
@api_roles("admin")
@api_doc(
    "Plan requested visits on a day for a team with a kit; the contacts are told the window",
    body=PlanIn,
    response=HomeVisitsOut,
    auth=True,
    description="Errors: invalid_state 409 (the team works elsewhere that day, no kit left, "
    "a visit not waiting, the NIK already booked).",
)
def plan_home_visits():
    data = parse_body(PlanIn)
    visits = services.plan_home_visits(
        current_user,
        data.on,
        data.team,
        services.parse_hhmm(data.start, "start"),
        data.minutes,
        data.visits,
    )
    return jsonify(visits=[visit_json(v) for v in visits])


@bp.post("/home-visits/<int:visit_id>/result")
@api_roles("admin", "staff")
@api_doc(
    "The visit's result, as at the desk: recorded (the card heads the print queue) or failed",
    body=ResultIn,
    response=HomeVisitEnvelope,
    auth=True,
)
def home_visit_result(visit_id):
    data = parse_body(ResultIn)
    visit = services.record_home_visit(current_user, visit_id, data.outcome, data.reason)
    return jsonify(visit=visit_json(visit))
