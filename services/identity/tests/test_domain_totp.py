"""TOTP step logic: window, replay refusal, provisioning (no database)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pyotp

from identity.domain.totp import (
    TotpOutcome,
    check_totp,
    looks_like_totp_code,
    new_totp_secret,
    provisioning_uri,
    qr_svg,
    time_step,
)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_700_000_015.0  # inside step 56_666_667


def code_for(step: int) -> str:
    return pyotp.TOTP(SECRET).generate_otp(step)


def test_time_step_is_the_30_second_counter() -> None:
    assert time_step(NOW) == 56_666_667
    assert time_step(59.999) == 1
    assert time_step(60.0) == 2


def test_current_code_is_accepted_with_its_step() -> None:
    check = check_totp(SECRET, code_for(time_step(NOW)), unix_time=NOW, last_used_step=None)
    assert check.outcome is TotpOutcome.ACCEPTED
    assert check.step == time_step(NOW)


def test_codes_one_step_either_side_are_accepted() -> None:
    step = time_step(NOW)
    for neighbour in (step - 1, step + 1):
        check = check_totp(SECRET, code_for(neighbour), unix_time=NOW, last_used_step=None)
        assert check.outcome is TotpOutcome.ACCEPTED
        assert check.step == neighbour


def test_code_two_steps_away_is_invalid() -> None:
    step = time_step(NOW)
    for far in (step - 2, step + 2):
        check = check_totp(SECRET, code_for(far), unix_time=NOW, last_used_step=None)
        assert check.outcome is TotpOutcome.INVALID


def test_code_of_the_last_used_step_is_refused_as_reused() -> None:
    step = time_step(NOW)
    check = check_totp(SECRET, code_for(step), unix_time=NOW, last_used_step=step)
    assert check.outcome is TotpOutcome.REUSED


def test_code_of_a_step_before_the_last_used_one_is_refused_as_reused() -> None:
    step = time_step(NOW)
    check = check_totp(SECRET, code_for(step - 1), unix_time=NOW, last_used_step=step)
    assert check.outcome is TotpOutcome.REUSED


def test_code_of_a_step_after_the_last_used_one_is_accepted() -> None:
    step = time_step(NOW)
    check = check_totp(SECRET, code_for(step + 1), unix_time=NOW, last_used_step=step)
    assert check.accepted
    assert check.step == step + 1


def test_wrong_code_is_invalid() -> None:
    step = time_step(NOW)
    wrong = f"{(int(code_for(step)) + 1) % 1_000_000:06d}"
    assert check_totp(SECRET, wrong, unix_time=NOW, last_used_step=None).outcome is (
        TotpOutcome.INVALID
    )


def test_non_numeric_code_is_invalid_without_error() -> None:
    assert check_totp(SECRET, "12ab56", unix_time=NOW, last_used_step=None).outcome is (
        TotpOutcome.INVALID
    )


def test_code_with_a_space_in_the_middle_is_accepted() -> None:
    code = code_for(time_step(NOW))
    spaced = f"{code[:3]} {code[3:]}"
    assert check_totp(SECRET, spaced, unix_time=NOW, last_used_step=None).accepted


def test_looks_like_totp_code_tells_codes_from_recovery_codes() -> None:
    assert looks_like_totp_code("123456")
    assert looks_like_totp_code("123 456")
    assert not looks_like_totp_code("abcd-efgh-ijkl-mnop")
    assert not looks_like_totp_code("12345")


def test_new_secret_is_160_bit_base32() -> None:
    secret = new_totp_secret()
    assert len(secret) == 32
    assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert new_totp_secret() != secret


def test_provisioning_uri_names_issuer_aos_and_the_account() -> None:
    uri = provisioning_uri(SECRET, account="max@workshop.example")
    parts = urlsplit(uri)
    query = parse_qs(parts.query)
    assert parts.scheme == "otpauth"
    assert parts.netloc == "totp"
    assert parts.path == "/AOS:max%40workshop.example"
    assert query["secret"] == [SECRET]
    assert query["issuer"] == ["AOS"]
    assert query.get("digits", ["6"]) == ["6"]
    assert query.get("period", ["30"]) == ["30"]
    assert query.get("algorithm", ["SHA1"]) == ["SHA1"]


def test_qr_code_is_a_standalone_svg_document_a_browser_decodes_as_an_image() -> None:
    svg = qr_svg("otpauth://totp/AOS:x?secret=" + SECRET)
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    # Shown through <img> (a data: URL) the SVG is a document of its own: without the SVG
    # namespace on its root, browsers show a broken image.
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert int(root.attrib["width"]) > 0
