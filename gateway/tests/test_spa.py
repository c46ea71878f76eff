"""The gateway serves the built web portal at / and keeps /api for the services."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.spa import SinglePageApp

INDEX = b"<!doctype html><title>AOS</title><div id=root></div>"
ASSET = b"console.log('portal')"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "assets" / "index-abc123.js").write_bytes(ASSET)
    (tmp_path / "secret.txt").write_text("not for the web")
    return root


async def test_root_and_client_routes_get_index_html(start_gateway, dist: Path) -> None:
    async with start_gateway(web_root=dist) as client:
        for path in ("/", "/passes", "/air/documents/ri-g20-rear-brake-pads-epb"):
            response = await client.get(path)
            assert response.status_code == 200, path
            assert response.content == INDEX
            assert response.headers["content-type"].startswith("text/html")
            assert response.headers["cache-control"] == "no-cache"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_hashed_assets_are_served_immutable(start_gateway, dist: Path) -> None:
    async with start_gateway(web_root=dist) as client:
        response = await client.get("/assets/index-abc123.js")
    assert response.content == ASSET
    assert "javascript" in response.headers["content-type"]
    assert "immutable" in response.headers["cache-control"]


async def test_a_new_build_is_served_without_restarting_the_gateway(
    start_gateway, dist: Path
) -> None:
    async with start_gateway(web_root=dist) as client:
        assert (await client.get("/")).content == INDEX
        rebuilt = b"<!doctype html><title>AOS</title><script src=/assets/index-def456.js></script>"
        (dist / "index.html").write_bytes(rebuilt)
        (dist / "assets" / "index-def456.js").write_bytes(b"console.log('new')")
        (dist / "assets" / "index-abc123.js").unlink()
        assert (await client.get("/passes")).content == rebuilt
        assert (await client.get("/assets/index-def456.js")).content == b"console.log('new')"
        gone = await client.get("/assets/index-abc123.js")
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"


def test_a_file_that_vanished_after_it_was_resolved_reads_as_none(dist: Path) -> None:
    portal = SinglePageApp(dist)
    file = portal.resolve("/assets/index-abc123.js")
    assert file is not None
    assert portal.read(file) == ASSET
    file.unlink()
    assert portal.read(file) is None


async def test_head_sends_headers_without_a_body(start_gateway, dist: Path) -> None:
    async with start_gateway(web_root=dist) as client:
        response = await client.head("/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(ASSET))
    assert response.content == b""


@pytest.mark.parametrize(
    "path",
    [
        "/assets/missing.js",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/../../secret.txt",
        # A NUL cannot be in a file name; the file system refuses to even look it up.
        "/index.html%00.js",
        "/assets/%00",
        "/passes%00",
    ],
)
async def test_missing_files_and_paths_outside_the_root_are_not_found(
    start_gateway, dist: Path, path: str
) -> None:
    async with start_gateway(web_root=dist) as client:
        response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert b"not for the web" not in response.content


async def test_api_paths_never_fall_back_to_the_portal(start_gateway, dist: Path) -> None:
    async with start_gateway(web_root=dist) as client:
        response = await client.get("/api/nothing/here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_unbuilt_portal_says_how_to_build_it(start_gateway, tmp_path: Path) -> None:
    async with start_gateway(web_root=tmp_path / "nothing") as client:
        response = await client.get("/")
    assert response.status_code == 503
    assert "npm run build" in response.json()["detail"]


async def test_posting_to_a_portal_path_is_refused(start_gateway, dist: Path) -> None:
    async with start_gateway(web_root=dist) as client:
        response = await client.post("/passes", json={})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/../secret.txt", "/assets/../../secret.txt"])
def test_paths_that_leave_the_root_resolve_to_nothing(dist: Path, path: str) -> None:
    # Checked on the raw path too: HTTP clients normalise dot segments before sending.
    assert SinglePageApp(dist).resolve(path) is None


def test_a_symlink_out_of_the_root_is_not_followed(dist: Path) -> None:
    (dist / "leak.txt").symlink_to(dist.parent / "secret.txt")
    assert SinglePageApp(dist).resolve("/leak.txt") is None


def test_a_doubled_slash_stays_inside_the_root(dist: Path) -> None:
    assert SinglePageApp(dist).resolve("//etc/passwd") == dist.resolve() / "index.html"
