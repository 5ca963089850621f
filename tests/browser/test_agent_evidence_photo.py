"""The agent's claim page shows the label photo the claim was opened from (issue 16): the image
is served from the console's origin and actually loads in the browser."""

from __future__ import annotations

import random
import uuid
from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.setup_api import api_client, post
from tests.support.labels import story1_label
from tests.support.warranty.photo_set import render

pytestmark = pytest.mark.browser


def test_the_agent_sees_the_evidence_photo(sign_in, console):
    label = story1_label(random.randrange(10_000, 99_999))
    photo = render(label, "easy", random.Random(7))
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    with api_client(console.api, customer) as me:
        r = me.post("/v1/labels/read", files={"image": ("label.jpg", photo, "image/jpeg")},
                    headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=60)  # fmt: skip
        assert r.status_code == 200, r.text
        reading = r.json()
        assert reading["label"]["code"] == label
        claim = post(me, "/v1/claims", {"region": "UK", "label_code": label,
                                         "components": ["zips"], "photo_id": reading["photo_id"]})  # fmt: skip

    agent = sign_in("agent-evidence", role="agent")
    agent.goto(f"/agent/claims/{claim['id']}")
    photo_on_page = agent.locator("img.evidence-photo")
    expect(photo_on_page).to_be_visible()
    expect(photo_on_page).to_have_attribute("alt", "The label as the customer photographed it "
                                                   "(metadata removed)")  # fmt: skip
    agent.wait_for_function(
        "() => { const i = document.querySelector('img.evidence-photo');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    size = photo_on_page.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert tuple(size) == Image.open(BytesIO(photo)).size  # the real photo, decoded by Chromium
