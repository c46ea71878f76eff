"""Write the gateway's merged OpenAPI document to web/openapi.json, without running anything.

The SPA's API types are generated from this file, so it must be exactly what the gateway serves
at ``/api/openapi.json``. Each service's FastAPI app is built in-process (``.openapi()`` does not
run the lifespan, so no database, Kafka or network is needed) and the documents are merged with
the gateway's own ``merge_openapi``, in the gateway's upstream order.

Usage:
    python scripts/export_openapi.py            # (re)write web/openapi.json
    python scripts/export_openapi.py --check    # exit 1 if web/openapi.json is stale (make test)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "web" / "openapi.json"


def _service_factories() -> dict[str, Callable[[], Any]]:
    """Service name → its ``create_app``; imported late, after the environment is set."""
    from air.main import create_app as air_app
    from billing.main import create_app as billing_app
    from identity.main import create_app as identity_app
    from programming.main import create_app as programming_app

    return {
        "identity": identity_app,
        "billing": billing_app,
        "air": air_app,
        "programming": programming_app,
    }


def build_document() -> dict[str, Any]:
    """The merged document, as the gateway would build it with every service answering."""
    # Settings are read from the environment. Only "development" accepts the built-in
    # placeholder secrets (test and production refuse them), and describing the API needs no
    # secret; the environment only changes what the lifespan does, which .openapi() never runs.
    os.environ["AOS_ENVIRONMENT"] = "development"
    from gateway.app import VERSION
    from gateway.config import UPSTREAM_SERVICES
    from gateway.openapi import merge_openapi
    from gateway.public import PublicRoutes

    factories = _service_factories()
    missing = set(UPSTREAM_SERVICES) - set(factories)
    if missing:
        raise SystemExit(f"export_openapi: no create_app known for {', '.join(sorted(missing))}")
    # The gateway fetches each service's /openapi.json, i.e. app.openapi() serialised to JSON;
    # the round trip through JSON gives the same plain values it sees.
    documents: dict[str, dict[str, Any]] = {
        name: json.loads(json.dumps(factories[name]().openapi())) for name in UPSTREAM_SERVICES
    }
    return merge_openapi(documents, public=PublicRoutes(), version=VERSION)


def render(document: dict[str, Any]) -> str:
    """Stable text: sorted keys, 2-space indent, trailing newline (small, reviewable diffs)."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if web/openapi.json differs from the services' API",
    )
    args = parser.parse_args(argv)
    text = render(build_document())
    relative = OUTPUT.relative_to(ROOT)
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else None
        if current != text:
            reason = "is missing" if current is None else "is stale (the services' API changed)"
            print(
                f"{relative} {reason}. Run `python scripts/export_openapi.py` and then "
                "`npm run gen:api` in web/, and commit both files.",
                file=sys.stderr,
            )
            return 1
        print(f"{relative} is up to date.")
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
