"""The web app's typed API: regenerate `frontend/src/api/openapi.json` (the platform's
merged OpenAPI document) and `frontend/src/api/schema.d.ts` (its TypeScript types), both
committed. Offline: no server runs.

    make openapi          (or .venv/bin/python scripts/openapi.py)

1. Every service with an API (its settings call `platform_settings` without
   `openapi=False`) writes its own document with drf-spectacular, in its own
   environment: `manage.py spectacular --format openapi-json` with RENTEZY_ENV=dev.
2. The gateway merges them with `edge.apidocs.merge` and the routing table
   (`python -m edge.apidocs NAME=FILE ...` in the gateway's environment): the very
   function behind `GET /api/openapi.json`, so the file equals what a running gateway
   serves (tests/contract/test_openapi.py fails when it does not).
3. openapi-typescript turns the document into `schema.d.ts` (`npm run openapi:types`
   in frontend/; frontend/src/api/schema.test.ts fails when schema.d.ts was not
   generated from openapi.json).

docs/architecture/api.md, "The web app's types".
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rentezy_common.platform import SERVICES, ServiceSpec

REPO = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("RENTEZY_STATE", REPO / ".rentezy"))
VENVS = Path(os.environ.get("RENTEZY_VENVS", STATE / "venvs"))
FRONTEND = REPO / "frontend"
DOCUMENT = FRONTEND / "src" / "api" / "openapi.json"
TYPES = FRONTEND / "src" / "api" / "schema.d.ts"
GATEWAY = "api_gateway"


def has_api(spec: ServiceSpec) -> bool:
    """Whether the service's settings call platform_settings with openapi on (the
    default), read from config/settings/__init__.py without importing it."""
    settings = REPO / spec.directory / "config" / "settings" / "__init__.py"
    if spec.directory == GATEWAY or not settings.exists():
        return False
    for node in ast.walk(ast.parse(settings.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "platform_settings":
            for keyword in node.keywords:
                if keyword.arg == "openapi":
                    return not (
                        isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                    )
            return True
    return False


def environment(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE", "PYTHONPATH")
    }
    return {**env, "RENTEZY_ENV": "dev", **extra}


def python_of(directory: str) -> str:
    python = VENVS / directory / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"error: {python} is missing: run `make setup` first")
    return str(python)


def run(command: list[str], *, cwd: Path, what: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env or environment(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"error: {what} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return done.stdout


def service_document(spec: ServiceSpec, out: Path) -> Path:
    file = out / f"{spec.name}.json"
    run(
        [
            python_of(spec.directory),
            "manage.py",
            "spectacular",
            "--format",
            "openapi-json",
            "--file",
            str(file),
        ],
        cwd=REPO / spec.directory,
        what=f"{spec.directory}: manage.py spectacular",
    )
    return file


def merged_document() -> dict:
    services = [spec for spec in SERVICES.values() if has_api(spec)]
    with tempfile.TemporaryDirectory(prefix="rentezy-openapi-") as tmp:
        with ThreadPoolExecutor(max_workers=2) as pool:  # a Django start-up each
            files = list(pool.map(lambda spec: service_document(spec, Path(tmp)), services))
        arguments = [f"{spec.name}={file}" for spec, file in zip(services, files, strict=True)]
        output = run(
            [python_of(GATEWAY), "-m", "edge.apidocs", *arguments],
            cwd=REPO / GATEWAY,
            # edge's modules read settings on import (DRF), before main() sets Django up
            env=environment(DJANGO_SETTINGS_MODULE="config.settings"),
            what="api_gateway: python -m edge.apidocs (the merge)",
        )
    return json.loads(output)


def write_types() -> None:
    if not (FRONTEND / "node_modules" / ".bin" / "openapi-typescript").exists():
        subprocess.run([str(REPO / "scripts" / "frontend.sh"), "deps"], check=True)
    # The flags live in package.json's "openapi:types" (the vitest check runs it too).
    subprocess.run(["npm", "run", "--silent", "openapi:types"], cwd=FRONTEND, check=True)


def main() -> int:
    document = merged_document()
    DOCUMENT.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {DOCUMENT.relative_to(REPO)}: {len(document['paths'])} paths")
    write_types()
    print(f"wrote {TYPES.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
