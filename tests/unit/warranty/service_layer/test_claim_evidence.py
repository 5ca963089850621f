"""A label photo kept as claim evidence: only its sender (or an agent) can open a claim with it,
for the same label, once; agents and the claim's owner see it, other customers get 404; a photo
no claim took is forgotten after the retention period."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from services.warranty.adapters.blob_store import LocalFolderBlobStore
from services.warranty.adapters.photos import clean_photo
from services.warranty.adapters.reference_data import load_catalogue
from services.warranty.adapters.tables import claims, label_photos
from services.warranty.domain.label_reading import TextLine
from services.warranty.domain.labels import encode_gen2
from services.warranty.service_layer.claim_evidence import ClaimEvidence
from services.warranty.service_layer.label_photos import LabelPhotos
from shared.actor import Actor
from shared.errors import DomainError
from tests.support.warranty.label_fixtures import CODE, label_photo
from tests.support.warranty.use_cases import AGENT, AGENT_FOR_ALICE, ALICE, BOB, CENTRE, Env, story

OTHER_CODE = encode_gen2("SD", 2025, 51, "VT02", 121)


class Reads:
    def __init__(self, text: str) -> None:
        self.text = text

    def read(self, image: bytes) -> list[TextLine]:
        return [TextLine(self.text, 0.9)]

    def warm_up(self) -> None:
        pass


class Photos:
    def __init__(self, env: Env, root: Path) -> None:
        self.env, self.blobs = env, LocalFolderBlobStore(root)
        self.evidence = ClaimEvidence(env.uow, self.blobs, env.clock, timedelta(days=1))

    async def read(self, by: Actor, text: str = CODE) -> str:
        uc = LabelPhotos(Reads(text), self.blobs, load_catalogue(), clean_photo, self.env.uow,
                         clock=self.env.clock)  # fmt: skip
        return (await uc.read(label_photo(exif=True), by.customer_id)).photo_id

    async def row(self, photo_id: str) -> dict:
        async with self.env.db.read() as s:
            query = sa.select(label_photos).where(label_photos.c.photo_id == photo_id)
            return dict((await s.execute(query)).mappings().one())


@pytest.fixture
def photos(env: Env, tmp_path: Path) -> Photos:
    return Photos(env, tmp_path / "blobs")


async def test_a_claim_opened_from_a_photo_keeps_it_for_its_owner_and_agents(photos, env):
    photo_id = await photos.read(ALICE)
    claim = await env.claims.open_claim(ALICE, story(photo_id=photo_id))
    assert claim.evidence_photo_id == photo_id
    assert (await photos.row(photo_id))["claim_id"] == claim.id
    assert (await env.queries.get_claim(AGENT, claim.id)).evidence_photo_id == photo_id
    for viewer in (ALICE, AGENT):
        seen = await photos.evidence.claim_photo(viewer, claim.id)
        image = Image.open(io.BytesIO(seen.data))
        assert seen.content_type == "image/jpeg" and not image.getexif()
    for stranger in (BOB, CENTRE):
        with pytest.raises(DomainError) as caught:
            await photos.evidence.claim_photo(stranger, claim.id)
        assert caught.value.kind == "not_found"


async def test_a_claim_without_a_photo_has_none_to_show(photos, env):
    claim = await env.claims.open_claim(ALICE, story())
    with pytest.raises(DomainError) as caught:
        await photos.evidence.claim_photo(AGENT, claim.id)
    assert caught.value.code == "claim_photo_not_found"


async def test_an_agent_opens_the_claim_with_the_customers_photo(photos, env):
    photo_id = await photos.read(ALICE)
    claim = await env.claims.open_claim(AGENT_FOR_ALICE, story(photo_id=photo_id))
    assert claim.evidence_photo_id == photo_id and claim.customer_id == ALICE.id
    agents_own = await photos.read(AGENT)  # an agent read it: any agent may use it
    assert (await photos.row(agents_own))["uploaded_by"] is None


@pytest.mark.parametrize(
    ("reader", "opener", "text", "code"),
    [(ALICE, BOB, CODE, "photo_not_found"),  # another customer's photo looks like none
     (AGENT, ALICE, CODE, "photo_not_found"),  # an agent's photo is not a customer's to use
     (ALICE, ALICE, OTHER_CODE, "photo_label_mismatch")],
)  # fmt: skip
async def test_a_refused_photo_opens_no_claim(photos, env, reader, opener, text, code):
    photo_id = await photos.read(reader, text)
    before = await env.snapshot()
    with pytest.raises(DomainError) as caught:
        await env.claims.open_claim(opener, story(photo_id=photo_id))
    assert caught.value.code == code
    assert await env.snapshot() == before
    assert (await photos.row(photo_id))["claim_id"] is None


async def test_an_unknown_photo_id_is_not_found(env):
    with pytest.raises(DomainError) as caught:
        await env.claims.open_claim(ALICE, story(photo_id="PH-00000000000000000000"))
    assert caught.value.code == "photo_not_found"
    async with env.db.read() as s:
        assert (await s.execute(sa.select(sa.func.count()).select_from(claims))).scalar() == 0


async def test_a_photo_is_evidence_of_one_claim_only(photos, env):
    photo_id = await photos.read(ALICE)
    first = await env.claims.open_claim(ALICE, story(photo_id=photo_id))
    await env.claims.cancel_claim(ALICE, first.id, "sent the wrong bag")
    with pytest.raises(DomainError) as caught:
        await env.claims.open_claim(ALICE, story(photo_id=photo_id))
    assert caught.value.code == "photo_already_attached"


async def test_photos_no_claim_took_are_forgotten_after_the_retention(photos, env, tmp_path):
    taken = await photos.read(ALICE)
    await env.claims.open_claim(ALICE, story(photo_id=taken))
    left = await photos.read(ALICE)
    assert await photos.evidence.forget_unclaimed() == 0  # not old enough yet
    env.clock.advance(days=1, seconds=1)
    assert await photos.evidence.forget_unclaimed() == 1
    kept = {p.name for p in (tmp_path / "blobs").iterdir()}
    assert kept == {(await photos.row(taken))["blob_key"]}
    with pytest.raises(Exception):  # noqa: B017 - the row is gone
        await photos.row(left)
