"""A member added by a manager sets their first password from the first-login SMS, in a real
phone browser, in both languages: the welcome form, a refusal, the saved password, and the
link spent. Every page load is checked by ``PhoneScreen`` (size, origin, fit, language)."""

from __future__ import annotations

import pytest

from backend_client.schemas import Role
from omo_backend import security
from omo_backend.models import Customer
from tests.browser.phone import NewPhone, says, words
from tests.browser.staff import E164
from tests.support.backend import Counter, LiveBackend, latest_link

PASSWORD = "first-pass-1"


@pytest.mark.parametrize("lang", ["en", "zh_TW"])
def test_a_member_added_by_hand_sets_a_password_from_the_sms(
    backend: LiveBackend, counter: Counter, new_phone: NewPhone, lang: str
) -> None:
    w = words(lang)
    backend.add_staff("TPE01", "2001", "Max", role=Role.MANAGER)
    manager = backend.counter("TPE01", "2001")
    added = manager.post("/api/v1/members", json={"name": "林小華", "phone": E164})
    assert added.status_code == 201, added.text
    link = latest_link(backend, E164)
    assert "/b/reset/" in link

    phone = new_phone()
    form = phone.open(link)
    assert form.status == 200
    assert form.url == backend.url("/b/reset"), "the token leaves the address bar"
    says(phone, "first_login_title")
    assert phone.field(w["password_current"]).get_attribute("autocomplete") == "new-password"
    phone.shot("first-login-1-form")

    phone.typed({w["password_current"]: PASSWORD, w["password_confirm"]: "another-one"})
    mismatch = phone.tap(w["first_password_save"])
    assert mismatch.status == 422
    assert phone.error_of(w["password_confirm"]) == w["password_mismatch"]
    phone.shot("first-login-2-mismatch")

    phone.typed({w["password_current"]: PASSWORD, w["password_confirm"]: PASSWORD})
    done = phone.tap(w["first_password_save"])
    assert done.status == 200
    says(phone, "first_login_done_title", "first_login_done")
    phone.shot("first-login-3-done")
    with backend.db.transaction(write=False) as session:
        member = session.get_one(Customer, added.json()["id"])
        assert member.password_hash is not None
        assert security.verify_secret(member.password_hash, PASSWORD)

    spent = new_phone().open(link)
    assert spent.status == 410
