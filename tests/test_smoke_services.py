from catalog.services import bundle
from tests.factories import make_flow
from tests.factories import make_person
from tests.factories import make_tool


def test_foundation_round_trip(session):
    make_person(session, email="ann@example.com", department="marketing")
    make_tool(
        session,
        slug="crm",
        name="CRM",
        business_owner="ann@example.com",
        data_classes=["contact_pii"],
    )
    make_tool(session, slug="esp", name="ESP")
    make_flow(session, "crm", "esp", data_classes=["contact_pii"])
    session.commit()
    out = bundle.export_bundle(session)
    assert [t["slug"] for t in out["tools"]] == ["crm", "esp"]
    assert out["flows"][0]["source"] == "crm"


def test_slug_new_is_reserved_for_the_registration_form(session):
    import pytest

    from catalog.services.records import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        make_tool(session, slug=None, name="New")
    assert excinfo.value.errors == {
        "slug": "'new' is reserved by the catalog's pages; choose another"
    }
