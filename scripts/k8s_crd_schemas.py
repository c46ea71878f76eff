"""Turn the operators' CustomResourceDefinitions into the JSON schemas deploy/k8s is checked with.

kubernetes-validate knows Kubernetes' own kinds only. The custom resources of the manifests
(CloudNativePG's ``Cluster`` and ``Database``, Strimzi's ``Kafka``, ``KafkaNodePool`` and
``KafkaTopic``) are checked against schemas taken from the operators' CRDs: each served version's
``openAPIV3Schema`` becomes a JSON schema in ``deploy/k8s/schemas/``, named as kubernetes-validate
names its own (``<kind>-<group's first label>-<version>.json``). The conversion is strict, as
``kubernetes-validate --strict`` is: an object that lists its properties refuses any other, so a
misspelt field fails instead of being dropped by the API server.

Run it again to move to other operator versions (and update the versions in the schemas'
README)::

    python scripts/k8s_crd_schemas.py --strimzi-crds <checkout>/packaging/install/cluster-operator

CloudNativePG's CRDs come from its Go module (``go mod download``, through the Go proxy);
Strimzi's from a checkout of strimzi-kafka-operator at the tag named in ``STRIMZI_VERSION``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "deploy" / "k8s" / "schemas"

CNPG_MODULE = "github.com/cloudnative-pg/cloudnative-pg"
CNPG_VERSION = "v1.25.1"
STRIMZI_VERSION = "1.2.0"

# The custom kinds the manifests use; only their schemas are kept.
CNPG_CRDS = ("postgresql.cnpg.io_clusters.yaml", "postgresql.cnpg.io_databases.yaml")
STRIMZI_CRDS = ("040-Crd-kafka.yaml", "043-Crd-kafkatopic.yaml", "045-Crd-kafkanodepool.yaml")

# OpenAPI keywords with no JSON-schema meaning, or a meaning handled by hand below.
DROPPED_KEYWORDS = frozenset(
    {
        "nullable",
        "x-kubernetes-int-or-string",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-list-type",
        "x-kubernetes-list-map-keys",
        "x-kubernetes-map-type",
        "x-kubernetes-validations",
        "x-kubernetes-embedded-resource",
    }
)


def to_json_schema(node: Any) -> Any:
    """One OpenAPI v3 schema (as a CRD holds it) as a strict JSON schema."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in DROPPED_KEYWORDS:
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif isinstance(value, dict | list):
            out[key] = to_json_schema(value)
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        # The API server takes 3 or "50%"; the CRD leaves "type" out and says so here.
        out.pop("type", None)
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    preserves = bool(node.get("x-kubernetes-preserve-unknown-fields"))
    if "properties" in out and "additionalProperties" not in out and not preserves:
        out["additionalProperties"] = False
    return out


def resource_schema(schema: dict[str, Any], *, group: str, version: str, kind: str) -> Any:
    """The whole object's schema: apiVersion and kind pinned, metadata as any object."""
    converted = to_json_schema(schema)
    properties = converted.setdefault("properties", {})
    properties["apiVersion"] = {"type": "string", "enum": [f"{group}/{version}"]}
    properties["kind"] = {"type": "string", "enum": [kind]}
    # The API server checks metadata itself (names, labels); the CRD says only "object".
    properties["metadata"] = {"type": "object"}
    converted["required"] = sorted({*converted.get("required", []), "apiVersion", "kind"})
    converted["additionalProperties"] = False
    converted["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return converted


def schema_file_name(*, group: str, version: str, kind: str) -> str:
    """kubernetes-validate's naming: ``postgresql.cnpg.io/v1`` Cluster → cluster-postgresql-v1."""
    return f"{kind.lower()}-{group.split('.')[0]}-{version}.json"


def convert_crd(path: Path, out_dir: Path) -> list[Path]:
    crd = yaml.safe_load(path.read_text())
    spec = crd["spec"]
    written = []
    for served in spec["versions"]:
        if not served.get("served", True):
            continue
        group, version, kind = spec["group"], served["name"], spec["names"]["kind"]
        schema = resource_schema(
            served["schema"]["openAPIV3Schema"], group=group, version=version, kind=kind
        )
        target = out_dir / schema_file_name(group=group, version=version, kind=kind)
        target.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
        written.append(target)
    return written


def cnpg_crd_dir() -> Path:
    """CloudNativePG's CRDs, from its Go module (downloaded once into the Go module cache)."""
    found = subprocess.run(
        ["go", "mod", "download", "-json", f"{CNPG_MODULE}@{CNPG_VERSION}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(json.loads(found.stdout)["Dir"]) / "config" / "crd" / "bases"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--strimzi-crds",
        type=Path,
        required=True,
        help=f"packaging/install/cluster-operator of strimzi-kafka-operator {STRIMZI_VERSION}",
    )
    parser.add_argument(
        "--cnpg-crds", type=Path, help="config/crd/bases of cloudnative-pg (default: go module)"
    )
    args = parser.parse_args()
    cnpg = args.cnpg_crds or cnpg_crd_dir()
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    sources = [cnpg / name for name in CNPG_CRDS] + [args.strimzi_crds / n for n in STRIMZI_CRDS]
    for source in sources:
        for written in convert_crd(source, SCHEMA_DIR):
            print(f"{source.name} -> {written.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
