"""A correlation id given at the gateway reaches the log lines of the service that did the work."""

import json
import time
import uuid


def test_request_id_appears_in_the_handling_services_logs(running_stack):
    request_id = f"corr-{uuid.uuid4().hex[:12]}"
    with running_stack.client("cus_corr") as http:
        response = http.post(
            "/v1/labels/decode",
            json={"code": "SD-2551-VT02-00120Z"},
            headers={"X-Request-ID": request_id},
        )
    assert response.status_code == 200, response.text
    assert response.headers["X-Request-ID"] == request_id
    lines = [
        json.loads(line)
        for line in running_stack.log("warranty").splitlines()
        if line.startswith("{")
    ]
    handled = [line for line in lines if line.get("correlation_id") == request_id]
    assert handled, "the warranty service logged nothing under the gateway's request id"
    assert any(line["event"] == "rpc.handled" for line in handled)
    # The gateway writes its access line after the response has gone out: give it a moment.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        gateway_lines = [
            json.loads(x) for x in running_stack.log("gateway").splitlines() if x.startswith("{")
        ]
        if any(line.get("correlation_id") == request_id for line in gateway_lines):
            return
        time.sleep(0.1)
    raise AssertionError("the gateway logged nothing under its own request id")


def test_concierge_status_reports_services_streams_and_held_messages(running_stack):
    """The operator's one-look view, as printed by `concierge status --json`."""
    import subprocess
    import sys
    from pathlib import Path

    out = subprocess.run(
        [str(Path(sys.executable).parent / "concierge"), "status", "--json",
         "--nats-url", running_stack.nats_url],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    report = json.loads(out)
    assert {s["service"]: s["up"] for s in report["services"]} == {
        "warranty": True, "orders": True, "notifications": True}  # fmt: skip
    assert {"WARRANTY", "ORDERS", "NOTIFICATIONS", "DLQ"} <= {
        s["stream"] for s in report["streams"]
    }
    assert report["held_messages"] == 0
    assert isinstance(report["dlq_size"], int)
