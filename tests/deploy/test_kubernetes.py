"""deploy/k8s: schema-valid manifests (kubernetes-validate, offline) that honour the contract."""

from __future__ import annotations

import re
import shutil
import subprocess

import kubernetes_validate
import pytest
import yaml

from tests.deploy.conftest import ALL_PROCESSES, DEPLOY, SERVICES
from tests.deploy.k8s_render import render

K8S = DEPLOY / "k8s"
K8S_VERSION = "1.37.0"  # the newest schema set kubernetes-validate 1.37 ships
SECRET_ENV = re.compile(r"PASSWORD|SECRET|PEPPER|TOKEN|DATABASE_URL|PRIVATE_KEY")
TREES = {"base": K8S / "base", "overlay": K8S / "overlays" / "example"}


@pytest.fixture(scope="module", params=sorted(TREES))
def rendered(request: pytest.FixtureRequest) -> list[dict]:
    return render(TREES[request.param])


def by_kind(resources: list[dict], kind: str) -> dict[str, dict]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def test_every_manifest_is_valid_kubernetes(rendered: list[dict]) -> None:
    assert rendered
    for resource in rendered:
        try:
            kubernetes_validate.validate(resource, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = f"{resource['kind']}/{resource['metadata']['name']}"
            pytest.fail(f"{where}: {exc.message} at {list(exc.path)}")


def test_every_yaml_file_under_k8s_parses_and_no_secret_is_committed() -> None:
    files = sorted(K8S.rglob("*.yaml"))
    assert len(files) >= 8
    for path in files:
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict):
                assert doc.get("kind") != "Secret", f"{path}: Secret values must not be committed"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="no kubectl to cross-check with")
@pytest.mark.parametrize("tree", sorted(TREES))
def test_offline_renderer_agrees_with_kubectl_kustomize(tree: str) -> None:
    result = subprocess.run(
        ["kubectl", "kustomize", str(TREES[tree])], capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0:
        pytest.skip(f"kubectl kustomize unavailable: {result.stderr[:200]}")
    theirs = [d for d in yaml.safe_load_all(result.stdout) if d]
    ours = render(TREES[tree])
    key = lambda r: (r["kind"], r["metadata"]["name"])  # noqa: E731
    assert sorted(map(key, theirs)) == sorted(map(key, ours))
    for mine in ours:
        match = next(t for t in theirs if key(t) == key(mine))
        assert match.get("spec") == mine.get("spec"), key(mine)
        assert match.get("data") == mine.get("data"), key(mine)


def test_each_process_has_deployment_service_pdb_and_hpa(rendered: list[dict]) -> None:
    deployments = by_kind(rendered, "Deployment")
    services = by_kind(rendered, "Service")
    pdbs = by_kind(rendered, "PodDisruptionBudget")
    hpas = by_kind(rendered, "HorizontalPodAutoscaler")
    for process in ALL_PROCESSES:
        name = f"concierge-{process}"
        deployment = deployments[name]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items()
        assert services[name]["spec"]["selector"].items() <= labels.items()
        assert pdbs[name]["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert pdbs[name]["apiVersion"] == "policy/v1"
        hpa = hpas[name]
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert hpa["spec"]["minReplicas"] >= 2, "two replicas share the work at least"
        assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]


def _container(deployment: dict) -> dict:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def test_probes_resources_and_security(rendered: list[dict]) -> None:
    deployments = by_kind(rendered, "Deployment")
    for process in ALL_PROCESSES:
        deployment = deployments[f"concierge-{process}"]
        pod = deployment["spec"]["template"]["spec"]
        container = _container(deployment)
        port = 8000 if process == "gateway" else 8081
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        ready, live = container["readinessProbe"]["httpGet"], container["livenessProbe"]["httpGet"]
        assert ready["path"] == "/readyz" and live["path"] == "/healthz"
        assert ports[ready["port"]] == port and ports[live["port"]] == port
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][kind]), f"{process} {kind}"
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert pod["terminationGracePeriodSeconds"] >= 30


def test_configuration_and_secret_references(rendered: list[dict]) -> None:
    configmaps = by_kind(rendered, "ConfigMap")
    config = configmaps["concierge-config"]["data"]
    assert not [key for key in config if SECRET_ENV.search(key)], "secrets belong in Secrets"
    for process in ALL_PROCESSES:
        prefix = f"{process.upper()}_"
        assert config[f"{prefix}ENV"] == "production"
        assert config[f"{prefix}LOG_FORMAT"] == "json"
        assert config[f"{prefix}STREAM_REPLICAS"] == "3"
        if process in SERVICES:
            assert config[f"{prefix}HEALTH_PORT"] == "8081"
            # The health server binds loopback by default; kubelet probes the pod IP.
            assert config[f"{prefix}HEALTH_HOST"] == "0.0.0.0"
    deployments = by_kind(rendered, "Deployment")
    for process in ALL_PROCESSES:
        container = _container(deployments[f"concierge-{process}"])
        assert {"configMapRef": {"name": "concierge-config"}} in container["envFrom"]
        env = {e["name"]: e for e in container["env"]}
        for name, entry in env.items():
            if SECRET_ENV.search(name):
                assert "value" not in entry, f"{process}: {name} has a literal value"
                assert set(entry["valueFrom"]) == {"secretKeyRef"}
        nats_url = env[f"{process.upper()}_NATS_URL"]["value"]
        assert nats_url == "nats://concierge:$(NATS_SERVICE_PASSWORD)@nats:4222"
        assert list(env).index("NATS_SERVICE_PASSWORD") < list(env).index(
            f"{process.upper()}_NATS_URL"
        ), "$(VAR) only expands variables defined earlier"
        if process in SERVICES:
            assert f"{process.upper()}_DATABASE_URL" in env
    gateway_env = {e["name"] for e in _container(deployments["concierge-gateway"])["env"]}
    assert {"GATEWAY_JWT_SECRET", "GATEWAY_API_KEY_PEPPER"} <= gateway_env


def test_overlay_changes_what_it_says() -> None:
    overlay = render(TREES["overlay"])
    assert all(
        r["metadata"].get("namespace") == "concierge" for r in overlay if r["kind"] != "Namespace"
    )
    for deployment in by_kind(overlay, "Deployment").values():
        assert _container(deployment)["image"] == "registry.example.com/concierge:0.1.0"
    hpas = by_kind(overlay, "HorizontalPodAutoscaler")
    assert {hpas[f"concierge-{s}"]["spec"]["maxReplicas"] for s in SERVICES} == {10}
    gateway = _container(by_kind(overlay, "Deployment")["concierge-gateway"])
    assert gateway["resources"]["limits"]["cpu"] == "2"
    assert gateway["readinessProbe"]["httpGet"]["path"] == "/readyz", "patch kept the probes"


def test_nats_helm_values_describe_a_durable_three_node_cluster() -> None:
    values = yaml.safe_load((K8S / "nats" / "values.yaml").read_text())
    config = values["config"]
    assert config["cluster"]["enabled"] is True and config["cluster"]["replicas"] == 3
    jetstream = config["jetstream"]
    assert jetstream["enabled"] is True
    assert jetstream["fileStore"]["enabled"] is True and jetstream["fileStore"]["pvc"]["enabled"]
    assert jetstream["merge"]["sync_interval"] == "always"
    accounts = config["merge"]["accounts"]
    assert {"CONCIERGE", "PARTNER_ACME", "SYS"} <= set(accounts)
    env = values["container"]["env"]
    for var in ("NATS_SERVICE_PASSWORD", "NATS_PARTNER_ACME_PASSWORD", "NATS_SYS_PASSWORD"):
        assert env[var]["valueFrom"]["secretKeyRef"]["name"] == "concierge-nats"


def test_warranty_keeps_photos_in_a_bucket_every_replica_reaches(rendered: list[dict]) -> None:
    """The warranty pods scale out (HPA, 2 to 6): photos cannot live in a pod's emptyDir."""
    config = by_kind(rendered, "ConfigMap")["concierge-config"]["data"]
    assert (config["WARRANTY_BLOB_STORE"], config["WARRANTY_BLOB_BUCKET"]) == (
        "s3", "concierge-label-photos")  # fmt: skip
    env = {
        e["name"]: e
        for e in _container(by_kind(rendered, "Deployment")["concierge-warranty"])["env"]
    }
    for name in ("WARRANTY_BLOB_ACCESS_KEY_ID", "WARRANTY_BLOB_SECRET_ACCESS_KEY"):
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert ref["name"] == "concierge-secrets" and ref["optional"] is True  # a pod role may do
