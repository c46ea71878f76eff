"""scripts/k8s_crd_schemas.py: a CRD's OpenAPI schema becomes a strict JSON schema that accepts
what the API server accepts (int-or-string, nullable, open maps) and refuses unknown fields."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "k8s_crd_schemas.py"

CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "spec": {
        "group": "widgets.example.com",
        "names": {"kind": "Widget"},
        "versions": [
            {"name": "v1alpha1", "served": False, "schema": {"openAPIV3Schema": {}}},
            {
                "name": "v1",
                "served": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "required": ["size"],
                                "properties": {
                                    "size": {"type": "integer"},
                                    "maxUnavailable": {"x-kubernetes-int-or-string": True},
                                    "note": {"type": "string", "nullable": True},
                                    "config": {
                                        "type": "object",
                                        "x-kubernetes-preserve-unknown-fields": True,
                                    },
                                    "labels": {
                                        "type": "object",
                                        "additionalProperties": {"type": "string"},
                                    },
                                },
                            }
                        },
                    }
                },
            },
        ],
    },
}


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aos_k8s_crd_schemas", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def schema(tmp_path: Path) -> dict[str, Any]:
    source = tmp_path / "crd.yaml"
    source.write_text(yaml.safe_dump(CRD))

    written = load_script().convert_crd(source, tmp_path)

    # Only served versions, named as kubernetes-validate names its schemas.
    assert [path.name for path in written] == ["widget-widgets-v1.json"]
    loaded: dict[str, Any] = json.loads(written[0].read_text())
    return loaded


def widget(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "widgets.example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "labels": {"a": "b"}},
        "spec": {"size": 1, **spec},
    }


def errors(schema: dict[str, Any], document: dict[str, Any]) -> list[str]:
    return [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(document)]


def test_what_the_api_server_accepts_passes(schema: dict[str, Any]) -> None:
    assert errors(schema, widget()) == []
    assert errors(schema, widget(maxUnavailable=1, note=None)) == []
    assert errors(schema, widget(maxUnavailable="50%", note="x")) == []
    assert errors(schema, widget(config={"anything": {"goes": 1}}, labels={"k": "v"})) == []


def test_an_unknown_field_fails_where_properties_are_listed(schema: dict[str, Any]) -> None:
    assert any("'sise'" in e for e in errors(schema, widget(sise=2)))
    assert errors(schema, {**widget(), "extra": 1}) != []


def test_wrong_types_and_missing_fields_fail(schema: dict[str, Any]) -> None:
    assert errors(schema, widget(size="three")) != []
    assert errors(schema, widget(maxUnavailable=[1])) != []
    assert errors(schema, widget(labels={"k": 1})) != []
    missing = widget()
    del missing["spec"]["size"]
    assert errors(schema, missing) != []


def test_another_kind_or_version_fails(schema: dict[str, Any]) -> None:
    assert errors(schema, {**widget(), "apiVersion": "widgets.example.com/v2"}) != []
    assert errors(schema, {**widget(), "kind": "Gadget"}) != []
