"""The audit of the demo stack (catalog/data/demo.json), checked against findings worked out by
hand from the file as of its anchor date 2026-11-22."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from flask import Flask
from flask.cli import ScriptInfo

from catalog.cli import main


@pytest.fixture
def report(app: Flask) -> dict:
    def run(args: list[str]) -> str:
        result = app.test_cli_runner().invoke(main, args, obj=ScriptInfo(create_app=lambda: app))
        assert result.exit_code == 0, result.output
        return result.stdout

    run(["demo", "--today", "2026-11-22"])
    return json.loads(run(["audit", "--as-of", "2026-11-22", "--format", "json"]))


def by_rule(report: dict) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for f in report["findings"]:
        found[f["rule"]].add((f["subject"]["key"], f["severity"]))
    return found


def test_demo_shadow_it(report: dict) -> None:
    assert [(s["tool"], s["reasons"], s["severity"]) for s in report["shadow_it"]] == [
        ("ahrefs", ["SHADOW_DISCOVERED"], "high"),
        ("calendly", ["SHADOW_UNAPPROVED"], "critical"),  # holds contact_pii
        ("canva", ["SHADOW_DISCOVERED"], "high"),
        ("eventbrite", ["SHADOW_UNAPPROVED"], "critical"),  # in_review, holds attendee data
        ("loom", ["SHADOW_DISCOVERED"], "high"),
        ("mailchimp", ["SHADOW_REJECTED_IN_USE"], "critical"),
        ("marketo", ["SHADOW_RETIRED_IN_USE"], "critical"),  # Okta sign-ins after retirement
        ("smile-io", ["SHADOW_DISCOVERED"], "critical"),
        ("typeform", ["SHADOW_DISCOVERED"], "critical"),
        ("zapier", ["SHADOW_DISCOVERED"], "high"),
    ]
    # Intercom is a request nobody uses yet; Unbounce's last sighting is older than 90 days.
    assert {"intercom", "unbounce"}.isdisjoint(s["tool"] for s in report["shadow_it"])


def test_demo_silos(report: dict) -> None:
    assert report["silos"] == [
        {
            "tools": ["eventbrite"],
            "data_classes": ["contact_pii", "transactional"],
            "feeders": [],
            "rogue": True,
            "severity": "critical",
        },
        {
            "tools": ["mailchimp", "typeform"],
            "data_classes": ["behavioral", "consent", "contact_pii", "transactional"],
            "feeders": ["shopify"],
            "rogue": True,
            "severity": "critical",
        },
        {
            "tools": ["smile-io", "yotpo"],
            "data_classes": ["contact_pii", "transactional"],
            "feeders": ["shopify"],
            "rogue": True,
            "severity": "critical",
        },
        {
            "tools": ["surveymonkey"],
            "data_classes": ["contact_pii"],
            "feeders": [],
            "rogue": False,
            "severity": "high",
        },
    ]
    silo = next(f for f in report["findings"] if f["subject"]["key"] == "mailchimp,typeform")
    assert silo["message"].startswith(
        "Mailchimp and Typeform hold customer behavioral, consent, contact and transactional "
        "data that never reaches Salesforce Sales Cloud, Segment and Snowflake; connect it "
        "through a managed integration or retire it."
    )


def test_demo_findings(report: dict) -> None:
    found = by_rule(report)
    assert found["FLOW_UNMANAGED_PERSONAL_DATA"] == {
        ("shopify->mailchimp", "critical"),
        ("typeform->mailchimp", "critical"),
        ("shopify->smile-io", "critical"),
        ("yotpo->smile-io", "critical"),
        ("shopify->meta-ads", "high"),
        ("calendly->hubspot", "high"),
    }  # wordpress->hotjar is unmanaged but anonymized
    assert found["OWNER_DEPARTED"] == {("hotjar", "high"), ("semrush", "high")}
    assert found["OWNER_WRONG_SIDE"] == {
        (s, "low") for s in ("calendly", "gong", "outreach", "tableau", "zendesk")
    }
    assert found["USED_BEFORE_APPROVAL"] == {("sprout-social", "medium")}
    assert found["REVIEW_OVERDUE"] == {("intercom", "medium")}  # calendly waited 10 days only
    # Hotjar (departed owner) and Yotpo (exposure) renew within 90 days.
    assert found["RENEWAL_AT_RISK"] == {("hotjar", "high"), ("yotpo", "high")}
    assert ("okta", "medium") in found["OWNER_MISSING_BUSINESS"]
    assert ("hotjar", "medium") in found["OWNER_MISSING_TECHNICAL"]
    assert ("okta", "info") in found["SINGLE_POINT_OF_FAILURE"]
    assert {
        "email-marketing",
        "seo",
        "social-media-marketing-monitoring",
        "events-meetings-webinars",
    } <= {k for k, _ in found["REDUNDANT_TOOLS"]}
    assert "feedback-chat" not in {k for k, _ in found["REDUNDANT_TOOLS"]}
    assert "NO_SYSTEM_OF_RECORD" not in found
    sprout = next(f for f in report["findings"] if f["rule"] == "USED_BEFORE_APPROVAL")
    assert (
        "was in use from 2026-06-02 (card_csv), 74 days before IT approved it on 2026-08-15"
        in sprout["message"]
    )


def test_demo_summary(report: dict) -> None:
    s = report["summary"]
    assert (s["tools"], s["in_use"], s["sanctioned"], s["shadow"], s["silos"]) == (
        46,
        44,
        34,
        10,
        4,
    )
    assert s["overdue_requests"] == 1
