"""The governance tests' catalog: Mia and Otto are marketers, Ivan and Ines are IT, Ada is an
administrator, each a person of the catalog with an account; CRM is IT's sanctioned system of
record. Sign-in is enforced as in production.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from pathlib import Path

from flask import Flask

from catalog.extensions import db
from catalog.services import entities
from catalog.services import records
from catalog.services import review
from tests.accounts import add_team
from tests.accounts import auth_app
from tests.accounts import signed_in
from tests.factories import make_tool
from tests.service_checks import changes_of

TODAY = date.today()
PEOPLE = (
    ("mia@example.com", "marketing"),
    ("otto@example.com", "marketing"),
    ("ivan@example.com", "it"),
    ("ines@example.com", "it"),
    ("ada@example.com", "admin"),
)


def governance_app(tmp_path: Path) -> Flask:
    app = auth_app(tmp_path)
    add_team(app, PEOPLE)
    with app.app_context():
        make_tool(
            db.session,
            slug="crm",
            name="CRM",
            lifecycle="sanctioned",
            system_of_record=True,
            data_classes=["contact_pii"],
            technical_owner="ivan@example.com",
        )
        db.session.commit()
    return app


def tool_record(app, slug):
    with app.app_context():
        tool = entities.tool_by_slug(db.session, slug)
        return None if tool is None else records.tool_record(tool) | {"version": tool.version}


def make(app, **raw):
    with app.app_context():
        make_tool(db.session, **raw)
        db.session.commit()


def in_review(app, slug, business="mia@example.com", technical="ivan@example.com"):
    make(
        app,
        slug=slug,
        name=slug.title(),
        business_owner=business,
        technical_owner=technical,
        requested_at=(TODAY - timedelta(days=2)).isoformat(),
    )
    assert signed_in(app, "ines@example.com").post(f"/review/{slug}/start").status_code == 302


def review_events(app, slug):
    with app.app_context():
        return [(c.action, c.actor, c.after) for c in changes_of(db.session, "review", slug)]


def signoffs(app, slug):
    with app.app_context():
        tool = entities.tool_by_slug(db.session, slug)
        return {side: row.signed_by for side, row in review.signoffs(db.session, tool).items()}
