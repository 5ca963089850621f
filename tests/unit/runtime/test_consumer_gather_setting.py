"""`<P>CONSUMER_GATHER_MS` and `<P>CONSUMER_GATHER_EVENTS` reach every consumer of the service
(the window in seconds), and bad values are refused at start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import ServiceSettings


def test_the_gather_setting_reaches_the_consumers_in_seconds(monkeypatch, tmp_path):
    monkeypatch.setenv("SAMPLE_CONSUMER_GATHER_MS", "25")
    monkeypatch.setenv("SAMPLE_CONSUMER_GATHER_EVENTS", "9")

    class SampleSettings(ServiceSettings):
        model_config = {"env_prefix": "SAMPLE_"}

    settings = SampleSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'sample.db'}")
    rt = ServiceRuntime("sample", settings)
    assert rt.consumer_runtime.gather_s == pytest.approx(0.025)
    assert rt.consumer_runtime.gather_events == 9


@pytest.mark.parametrize("value", [-1, 1001, "soon"])
def test_a_bad_gather_setting_is_refused(value):
    with pytest.raises(ValidationError):
        ServiceSettings(consumer_gather_ms=value)


@pytest.mark.parametrize("value", [0, 65, "many"])
def test_a_bad_gather_events_setting_is_refused(value):
    with pytest.raises(ValidationError):
        ServiceSettings(consumer_gather_events=value)
