"""deploy/k8s: both overlays build with kustomize and pass strict schema validation offline
(Kubernetes' kinds, and the Strimzi and CloudNativePG kinds against the schemas kept in the
repository), and the rendered objects keep our own rules: locked-down containers, probes and
resources, a disruption budget per Deployment, network policies around every service and
database, each database's credentials in its own service only, and one KafkaTopic for each topic
the code uses.

kustomize comes from `make k8s-tools` (go install into .tools/bin; `AOS_KUSTOMIZE` names
another binary).
"""

from __future__ import annotations

import copy
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices

import air.events.publishing
import billing.events.publishing
import identity.events.publishing
import programming.events.publishing
from air.config import Settings as AirSettings
from air.main import CONSUMERS as AIR_CONSUMERS
from billing.config import Settings as BillingSettings
from billing.main import CONSUMERS as BILLING_CONSUMERS
from gateway.config import GatewaySettings
from identity.config import Settings as IdentitySettings
from programming.config import Settings as ProgrammingSettings
from programming.main import CONSUMERS as PROGRAMMING_CONSUMERS
from servicekit.dlq import DEAD_LETTER_SUFFIX
from servicekit.revocations import IDENTITY_TOPIC
from servicekit.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
VALIDATE = ROOT / "scripts" / "k8s_validate.py"
OVERLAYS = ("dev", "prod")
SERVICES = ("identity", "billing", "air", "programming")
SETTINGS: dict[str, type[ServiceSettings]] = {
    "identity": IdentitySettings,
    "billing": BillingSettings,
    "air": AirSettings,
    "programming": ProgrammingSettings,
    "gateway": GatewaySettings,
}
# Variables the manifests define only to compose another one (the database URL).
HELPER_VARIABLES = frozenset({"DATABASE_USER", "DATABASE_PASSWORD"})

Objects = list[dict[str, Any]]


def kustomize_binary() -> Path:
    binary = Path(os.environ.get("AOS_KUSTOMIZE", ROOT / ".tools" / "bin" / "kustomize"))
    if not os.access(binary, os.X_OK):
        pytest.fail(
            f"kustomize is not installed at {binary}: run `make k8s-tools` (it builds kustomize "
            "with `go install`), or set AOS_KUSTOMIZE to a kustomize v5 binary"
        )
    return binary


def build(directory: Path) -> str:
    result = subprocess.run(
        [str(kustomize_binary()), "build", str(directory)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"kustomize build {directory} failed:\n{result.stderr}"
    return result.stdout


def load_validator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aos_k8s_validate", VALIDATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_validator(manifests: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(VALIDATE), "-"],
        input=manifests,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


_RENDERED: dict[str, str] = {}


def rendered_text(overlay: str) -> str:
    if overlay not in _RENDERED:
        _RENDERED[overlay] = build(K8S / "overlays" / overlay)
    return _RENDERED[overlay]


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def objects(overlay: str) -> Objects:
    return [doc for doc in yaml.safe_load_all(rendered_text(overlay)) if doc]


def of_kind(objects: Objects, kind: str) -> Objects:
    return [obj for obj in objects if obj["kind"] == kind]


def named(objects: Objects, kind: str, name: str) -> dict[str, Any]:
    found = [obj for obj in of_kind(objects, kind) if obj["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def workloads(objects: Objects) -> Iterator[tuple[str, dict[str, Any]]]:
    """(Kind/name, pod template) of every Deployment and Job."""
    for obj in objects:
        if obj["kind"] in ("Deployment", "Job"):
            yield f"{obj['kind']}/{obj['metadata']['name']}", obj["spec"]["template"]


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels and matchExpressions) selects these labels."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


# --- schema validation ------------------------------------------------------------------------


def test_each_overlay_passes_strict_validation(overlay: str) -> None:
    result = run_validator(rendered_text(overlay))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "objects valid" in result.stdout


def test_the_kubernetes_validate_command_passes_and_skips_only_kinds_we_keep_schemas_of(
    overlay: str, tmp_path: Path
) -> None:
    """`kubernetes-validate --strict` itself, as the issue names it: it passes every Kubernetes
    kind, and only warns about the operators' kinds, each of which has a schema kept here."""
    rendered = tmp_path / f"{overlay}.yaml"
    rendered.write_text(rendered_text(overlay))
    command = Path(sys.executable).parent / "kubernetes-validate"
    validator = load_validator()

    result = subprocess.run(
        [str(command), "--strict", "--quiet", "-k", validator.KUBERNETES_VERSION, str(rendered)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    skipped = set(re.findall(r"for kind (\S+) with api version (\S+)", result.stdout))
    assert skipped, "no custom kind was skipped: the warning text changed, or the search broke"
    for kind, api_version in skipped:
        assert validator.custom_schema(api_version, kind) is not None, kind


def test_a_misspelt_field_in_a_deployment_fails_validation(tmp_path: Path) -> None:
    """Strict: a field the API server would silently drop (here `resource` for `resources`) is
    an error, found through the whole chain: a kustomize overlay, then the validator."""
    (tmp_path / "kustomization.yaml").write_text(
        f"resources: [{os.path.relpath(K8S / 'overlays' / 'dev', tmp_path)}]\n"
        "patches:\n"
        "  - target: {kind: Deployment, name: air}\n"
        "    patch: |-\n"
        "      - op: add\n"
        "        path: /spec/template/spec/containers/0/resource\n"
        "        value: {limits: {memory: 1Gi}}\n"
    )

    result = run_validator(build(tmp_path))

    assert result.returncode == 1
    assert "Deployment/air" in result.stdout
    assert "'resource'" in result.stdout


def test_a_kafka_topic_with_partitions_as_text_fails_validation(objects: Objects) -> None:
    topic = copy.deepcopy(of_kind(objects, "KafkaTopic")[0])
    topic["spec"]["partitions"] = "three"

    problems = load_validator().validate_documents([topic])

    assert len(problems) == 1
    assert f"KafkaTopic/{topic['metadata']['name']}: spec.partitions" in problems[0]


def test_an_unknown_field_in_a_postgres_cluster_fails_validation(objects: Objects) -> None:
    cluster = copy.deepcopy(named(objects, "Cluster", "aos-postgres"))
    cluster["spec"]["instance"] = 3

    problems = load_validator().validate_documents([cluster])

    assert any("Cluster/aos-postgres" in p and "'instance'" in p for p in problems), problems


def test_a_kind_without_any_schema_is_an_error_not_a_warning() -> None:
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}

    problems = load_validator().validate_documents([unknown])

    assert len(problems) == 1
    assert "no schema" in problems[0]


# --- our own rules on the rendered objects -------------------------------------------------------


def test_every_container_runs_locked_down_with_resources(objects: Objects) -> None:
    checked = 0
    for name, template in workloads(objects):
        pod = template["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod.get("automountServiceAccountToken") is False, name
        tmp_volumes = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert context["seccompProfile"]["type"] == "RuntimeDefault", name
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), name
            assert "memory" in resources["limits"], name
            # With a read-only root, /tmp is the one writable place (an emptyDir).
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            assert mounts.get("/tmp") in tmp_volumes, f"{name}: no emptyDir at /tmp"
            checked += 1
    assert checked >= 9  # five Deployments and four migration Jobs


def test_pods_run_under_their_own_account_without_its_token(objects: Objects) -> None:
    accounts = {a["metadata"]["name"]: a for a in of_kind(objects, "ServiceAccount")}
    assert all(a["automountServiceAccountToken"] is False for a in accounts.values())
    for name, template in workloads(objects):
        account = template["spec"]["serviceAccountName"]
        assert account in accounts, name
        assert account == template["metadata"]["labels"]["app.kubernetes.io/name"], name


def test_every_deployment_has_probes(objects: Objects) -> None:
    for deployment in of_kind(objects, "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            name = deployment["metadata"]["name"]
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
            assert container["startupProbe"]["httpGet"]["path"] == "/healthz", name
            readiness = container["readinessProbe"]["httpGet"]["path"]
            # The gateway's too: it checks its own state, not the services' (gateway.yaml).
            assert readiness == "/readyz", name


def test_every_deployment_has_a_disruption_budget(objects: Objects) -> None:
    budgets = of_kind(objects, "PodDisruptionBudget")
    for deployment in of_kind(objects, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        covering = [b for b in budgets if selects(b["spec"]["selector"], labels)]
        assert len(covering) == 1, deployment["metadata"]["name"]


def test_services_and_budgets_take_in_one_deployment_and_no_job(objects: Objects) -> None:
    """A migration Job's pod carries its service's name: a Service selecting it would send
    requests to a pod that does not listen, and a budget over two controllers is refused."""
    for kind in ("Service", "PodDisruptionBudget"):
        for obj in of_kind(objects, kind):
            selector = obj["spec"]["selector"]
            if kind == "Service":
                selector = {"matchLabels": selector}
            taken = [
                name
                for name, template in workloads(objects)
                if selects(selector, template["metadata"]["labels"])
            ]
            assert taken == [f"Deployment/{obj['metadata']['name']}"], f"{kind}: {taken}"


def test_autoscalers_scale_existing_deployments_within_their_budget(objects: Objects) -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind(objects, "Deployment")}
    autoscalers = of_kind(objects, "HorizontalPodAutoscaler")
    assert {a["spec"]["scaleTargetRef"]["name"] for a in autoscalers} == set(deployments)
    for autoscaler in autoscalers:
        spec = autoscaler["spec"]
        assert spec["scaleTargetRef"]["kind"] == "Deployment"
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"]
        deployment = deployments[spec["scaleTargetRef"]["name"]]
        # Rolling out never starts below the autoscaler's floor.
        assert deployment["spec"]["replicas"] >= spec["minReplicas"]


def test_the_namespace_denies_everything_not_allowed(objects: Objects) -> None:
    deny = named(objects, "NetworkPolicy", "default-deny")["spec"]

    assert deny["podSelector"] == {}
    assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny


def test_services_are_reached_only_from_the_gateway(objects: Objects) -> None:
    """Besides the gateway: Prometheus (namespace monitoring) on the metrics port, and, for
    identity only, the other services reading its JWKS."""
    pods = {
        d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"]
        for d in of_kind(objects, "Deployment")
    }
    policies = of_kind(objects, "NetworkPolicy")
    for service in SERVICES:
        own = [
            p
            for p in policies
            if p["spec"]["podSelector"] != {} and selects(p["spec"]["podSelector"], pods[service])
        ]
        assert len(own) == 1, f"{service}: {len(own)} policies select it"
        peers = [peer for rule in own[0]["spec"]["ingress"] for peer in rule["from"]]
        reached_from: set[str] = set()
        for peer in peers:
            assert "ipBlock" not in peer, f"{service} is open to addresses: {peer}"
            if "namespaceSelector" in peer:
                assert peer["namespaceSelector"]["matchLabels"] == {
                    "kubernetes.io/metadata.name": "monitoring"
                }, service
                continue
            selector = peer["podSelector"]
            reached_from |= {name for name, labels in pods.items() if selects(selector, labels)}
        allowed = {"gateway", *SERVICES} if service == "identity" else {"gateway"}
        assert "gateway" in reached_from, service
        assert reached_from <= allowed, f"{service} is reachable from {reached_from - allowed}"


def test_each_database_is_reached_only_by_its_own_service(objects: Objects) -> None:
    """The network lets the services' pods (and their migrations) into PostgreSQL; pg_hba lets
    each service's role into its own database only, and each role's Secret is read by that
    service alone."""
    policy = named(objects, "NetworkPolicy", "postgres")["spec"]
    database_peers = [
        peer["podSelector"]
        for rule in policy["ingress"]
        for peer in rule["from"]
        if "podSelector" in peer and peer["podSelector"].get("matchExpressions")
    ]
    for name, template in workloads(objects):
        labels = template["metadata"]["labels"]
        service = labels["app.kubernetes.io/name"]
        allowed = any(selects(peer, labels) for peer in database_peers)
        assert allowed == (service in SERVICES), name
        if service in SERVICES:
            assert labels["aos.example.com/database"] == service, name
        secrets = {
            env["valueFrom"]["secretKeyRef"]["name"]
            for container in template["spec"]["containers"]
            for env in container.get("env", [])
            if "secretKeyRef" in env.get("valueFrom", {})
        }
        database_secrets = {s for s in secrets if s.endswith("-db")}
        assert database_secrets == ({f"{service}-db"} if service in SERVICES else set()), name

    cluster = named(objects, "Cluster", "aos-postgres")["spec"]
    roles = {role["name"]: role["passwordSecret"]["name"] for role in cluster["managed"]["roles"]}
    assert roles == {service: f"{service}-db" for service in SERVICES}
    hba = [line.split() for line in cluster["postgresql"]["pg_hba"]]
    for service in SERVICES:
        # The first line that matches the role decides: its own database, scram.
        first = next(line for line in hba if service in line[2].split(","))
        assert first[1:3] == [f"aos_{service}", service] and first[-1] == "scram-sha-256"
        # And any other database is refused to it.
        others = [line for line in hba if service in line[2].split(",") and line is not first]
        assert others and all(line[-1] == "reject" for line in others), service
    owners = {d["spec"]["name"]: d["spec"]["owner"] for d in of_kind(objects, "Database")}
    assert owners == {f"aos_{service}": service for service in SERVICES}


def test_each_service_connects_to_its_own_database(objects: Objects) -> None:
    for name, template in workloads(objects):
        service = template["metadata"]["labels"]["app.kubernetes.io/name"]
        if service not in SERVICES:
            continue
        env = {e["name"]: e for c in template["spec"]["containers"] for e in c.get("env", [])}
        url = env[f"{service.upper()}_DATABASE_URL"]["value"]
        assert url.startswith("postgresql+asyncpg://"), name
        assert url.endswith(f"@aos-postgres-rw:5432/aos_{service}"), name


def _known_variables(settings: type[ServiceSettings]) -> set[str]:
    prefix = str(settings.model_config.get("env_prefix", ""))
    known = set()
    for field_name, field in settings.model_fields.items():
        known.add(f"{prefix}{field_name}".upper())
        if isinstance(field.validation_alias, AliasChoices):
            known.update(str(c) for c in field.validation_alias.choices if str(c).isupper())
    return known


def test_every_variable_set_is_a_setting_the_process_reads(objects: Objects) -> None:
    """A misspelt variable is silently ignored by pydantic-settings (extra="ignore"): each one
    the manifests give a process must name a field of that process's Settings class."""
    config_maps = {c["metadata"]["name"]: c.get("data", {}) for c in of_kind(objects, "ConfigMap")}
    for name, template in workloads(objects):
        process = template["metadata"]["labels"]["app.kubernetes.io/name"]
        known = _known_variables(SETTINGS[process])
        for container in template["spec"]["containers"]:
            given = {e["name"] for e in container.get("env", [])} - HELPER_VARIABLES
            for source in container.get("envFrom", []):
                given |= set(config_maps[source["configMapRef"]["name"]])
            unknown = given - known
            assert not unknown, f"{name}: {sorted(unknown)} are read by nothing"


def _topics_the_code_uses() -> set[str]:
    outbox = {
        module.OUTBOX.topic
        for module in (
            identity.events.publishing,
            billing.events.publishing,
            air.events.publishing,
            programming.events.publishing,
        )
    }
    consumed = {IDENTITY_TOPIC}  # every service reads its token deny list from identity.v1
    for consumer in (*AIR_CONSUMERS, *BILLING_CONSUMERS, *PROGRAMMING_CONSUMERS):
        consumed.update(consumer.topics)
    assert consumed <= outbox, f"consumed but published by nobody: {consumed - outbox}"
    return outbox | {topic + DEAD_LETTER_SUFFIX for topic in consumed}


def test_kafka_topics_are_the_topics_the_code_uses(objects: Objects) -> None:
    declared = [t["spec"]["topicName"] for t in of_kind(objects, "KafkaTopic")]

    assert sorted(declared) == sorted(_topics_the_code_uses())
    config = {c["metadata"]["name"]: c["data"] for c in of_kind(objects, "ConfigMap")}
    # The topic names above are the deployed names only with no namespace prefix.
    assert config["aos-config"]["AOS_TOPIC_NAMESPACE"] == ""


def test_replication_fits_the_kafka_nodes(objects: Objects, overlay: str) -> None:
    nodes = sum(pool["spec"]["replicas"] for pool in of_kind(objects, "KafkaNodePool"))
    kafka = named(objects, "Kafka", "aos-kafka")["spec"]["kafka"]["config"]
    expected_nodes, expected_isr = {"dev": (1, 1), "prod": (3, 2)}[overlay]
    assert nodes == expected_nodes
    assert kafka["min.insync.replicas"] == expected_isr
    assert kafka["default.replication.factor"] == expected_nodes
    assert kafka["auto.create.topics.enable"] is False
    for topic in of_kind(objects, "KafkaTopic"):
        assert topic["spec"]["replicas"] == expected_nodes, topic["metadata"]["name"]
        assert topic["spec"]["config"]["min.insync.replicas"] == expected_isr
    instances = named(objects, "Cluster", "aos-postgres")["spec"]["instances"]
    assert instances == {"dev": 1, "prod": 3}[overlay]


def test_every_service_has_its_migration_job_from_its_own_image(objects: Objects) -> None:
    images = {
        d["metadata"]["name"]: d["spec"]["template"]["spec"]["containers"][0]["image"]
        for d in of_kind(objects, "Deployment")
    }
    jobs = {j["metadata"]["name"]: j["spec"]["template"]["spec"] for j in of_kind(objects, "Job")}
    assert set(jobs) == {f"{service}-migrate" for service in SERVICES}
    for service in SERVICES:
        container = jobs[f"{service}-migrate"]["containers"][0]
        assert container["args"] == ["migrate"]
        assert container["image"] == images[service]


def test_the_ingress_reaches_the_gateway_only_with_tls(objects: Objects) -> None:
    ingresses = of_kind(objects, "Ingress")
    assert len(ingresses) == 1
    spec = ingresses[0]["spec"]
    backends = {
        path["backend"]["service"]["name"]
        for rule in spec["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {"gateway"}
    hosts = {rule["host"] for rule in spec["rules"]}
    assert hosts <= {host for tls in spec["tls"] for host in tls["hosts"]}
    public = named(objects, "ConfigMap", "programming-config")["data"]
    assert public["PROGRAMMING_PUBLIC_BASE_URL"] == f"https://{hosts.pop()}/api/programming"


def _secrets_referenced(node: Any, *, key: str | None = None) -> Iterator[str]:
    """Names of Secrets an object refers to, wherever it does (env, volumes, TLS, CNPG)."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name in ("secretKeyRef", "passwordSecret", "secret") and isinstance(value, dict):
                if isinstance(value.get("name"), str):
                    yield value["name"]
                if isinstance(value.get("secretName"), str):
                    yield value["secretName"]
            if name == "secretName" and isinstance(value, str):
                yield value
            yield from _secrets_referenced(value)
    elif isinstance(node, list):
        for item in node:
            yield from _secrets_referenced(item)


def test_every_secret_the_manifests_need_is_in_the_readme(objects: Objects) -> None:
    """The Secrets are created by hand (they are never in the repository): the README's
    commands must create each one the manifests refer to, under the same name."""
    readme = (K8S / "README.md").read_text()
    loop = re.search(
        r"for s in ([a-z ]+); do\s*#.*\n\s*kubectl .* create secret generic \$s-db", readme
    )
    assert loop, "the README's loop creating the database secrets is gone"
    created = {f"{service}-db" for service in loop.group(1).split()}
    created |= set(re.findall(r"create secret (?:generic|tls) ([a-z][a-z0-9-]*)", readme))
    needed = set(_secrets_referenced(objects))

    assert needed, "no Secret found: the search is broken"
    assert needed <= created, f"not in the README: {sorted(needed - created)}"
