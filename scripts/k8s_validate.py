"""Check rendered Kubernetes manifests offline: every object against its kind's schema, strictly.

Kubernetes' own kinds go through kubernetes-validate with ``strict`` (what
``kubernetes-validate --strict`` does: unknown fields fail). The CLI only warns about a kind it
has no schema for, which would let every custom resource through unchecked; here the operators'
kinds are checked against the schemas kept in ``deploy/k8s/schemas/`` (made from their CRDs by
``scripts/k8s_crd_schemas.py``), and a kind with no schema at all is an error.

    kustomize build deploy/k8s/overlays/prod | python scripts/k8s_validate.py -
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from kubernetes_validate import utils as kubernetes_validate

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "deploy" / "k8s" / "schemas"

# The oldest Kubernetes the manifests are written for (HPA autoscaling/v2, PDB policy/v1,
# seccompProfile in securityContext all older than this).
KUBERNETES_VERSION = "1.30"


def object_name(document: dict[str, Any]) -> str:
    metadata = document.get("metadata") or {}
    return f"{document.get('kind')}/{metadata.get('name')}"


@cache
def custom_schema(api_version: str, kind: str) -> dict[str, Any] | None:
    """The kept schema of a custom kind, named as kubernetes-validate names its own."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    path = SCHEMA_DIR / f"{kind.lower()}-{group_version}.json"
    if not path.is_file():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def problems_of(document: Any) -> list[str]:
    """What is wrong with one object (an empty list: nothing)."""
    if not isinstance(document, dict) or "apiVersion" not in document or "kind" not in document:
        return [f"not a Kubernetes object (no apiVersion and kind): {str(document)[:80]}"]
    name = object_name(document)
    schema = custom_schema(str(document["apiVersion"]), str(document["kind"]))
    if schema is not None:
        validator = jsonschema.Draft202012Validator(schema)
        return [
            f"{name}: {'.'.join(str(part) for part in error.absolute_path) or '(top)'}: "
            f"{error.message}"
            for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        ]
    try:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        path = ".".join(str(part) for part in error.path) or "(top)"
        return [f"{name}: {path}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError:
        return [
            f"{name}: no schema for {document['apiVersion']} {document['kind']}: neither a "
            f"Kubernetes {KUBERNETES_VERSION} kind nor one kept in deploy/k8s/schemas"
        ]
    return []


def validate_documents(documents: Iterable[Any]) -> list[str]:
    problems: list[str] = []
    for document in documents:
        if document is not None:
            problems.extend(problems_of(document))
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description="validate rendered manifests offline, strictly")
    parser.add_argument("files", nargs="+", help="YAML files (several documents each); - is stdin")
    args = parser.parse_args()
    problems: list[str] = []
    count = 0
    for name in args.files:
        text = sys.stdin.read() if name == "-" else Path(name).read_text()
        documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
        count += len(documents)
        problems.extend(validate_documents(documents))
    for problem in problems:
        print(f"ERROR {problem}")
    if not problems:
        print(f"{count} objects valid (Kubernetes {KUBERNETES_VERSION}, strict)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
