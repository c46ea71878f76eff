"""DoIP over TLS (ISO 13400-2:2019) and the routing activation types, against the simulator.

The certificates are made here, at run time, into the test's temporary folder: a test CA, the
entity's certificate for 127.0.0.1 signed by it, and a second CA that signed nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from udsoncan.client import Client

from vci_agent.cli import build_parser, main
from vci_agent.transport.doip import (
    ActivationType,
    RoutingActivationRefusedError,
    doip_connection,
    tls_context,
)
from vci_agent.transport.options import DoipConnector, connector_from_args
from vci_agent.uds import DID_VIN, UdsTiming, client_config
from vehicle_sim.doip import server_tls_context
from vehicle_sim.security import DEV_SECRETS
from vehicle_sim.testing import RunningVehicle, running_vehicle

DME = 0x0012


@dataclass(frozen=True)
class TlsFiles:
    ca: Path  # the CA that signed the entity's certificate
    other_ca: Path  # a CA that signed nothing of the entity's
    cert: Path
    key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    folder = tmp_path_factory.mktemp("tls")
    ca_key, ca_cert = _ca("AOS test DoIP CA")
    _, other_cert = _ca("Some other CA")
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("simulated DoIP entity"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(
        ca=folder / "ca.pem",
        other_ca=folder / "other-ca.pem",
        cert=folder / "entity.pem",
        key=folder / "entity.key",
    )
    files.ca.write_bytes(_pem(ca_cert))
    files.other_ca.write_bytes(_pem(other_cert))
    files.cert.write_bytes(_pem(cert))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files


@pytest.fixture
async def tls_sim(tmp_path: Path, tls_files: TlsFiles) -> AsyncIterator[RunningVehicle]:
    tls = server_tls_context(tls_files.cert, tls_files.key)
    async with running_vehicle(tmp_path / "sim", erase_time_s=0.05, tls=tls) as sim:
        yield sim


def _read_vin(connection: Any) -> str:
    with Client(connection, config=client_config(timing=UdsTiming())) as client:
        return str(client.read_data_by_identifier(DID_VIN).service_data.values[DID_VIN])


def _flash_argv(sim: RunningVehicle, tmp_path: Path, signed: Any, *extra: str) -> list[str]:
    files = {"image": tmp_path / "dme.img", "signature": tmp_path / "dme.sig"}
    files["image"].write_bytes(signed.data)
    files["signature"].write_bytes(signed.signature)
    public_key = tmp_path / "release.pem"
    public_key.write_bytes(
        signed.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return [
        "--state-dir",
        str(tmp_path / "state"),
        "flash",
        "--host",
        sim.host,
        "--ecu",
        "0x0012",
        "--image",
        str(files["image"]),
        "--signature",
        str(files["signature"]),
        "--public-key",
        str(public_key),
        "--secret",
        DEV_SECRETS["DME_B48"].hex(),
        *extra,
    ]


async def test_flash_over_tls_against_the_simulators_tls_port(
    tmp_path: Path,
    tls_sim: RunningVehicle,
    tls_files: TlsFiles,
    signed_image: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert tls_sim.tls_port is not None and tls_sim.tls_port != tls_sim.port
    argv = _flash_argv(
        tls_sim,
        tmp_path,
        signed_image,
        "--tls",
        "--ca-file",
        str(tls_files.ca),
        "--port",
        str(tls_sim.tls_port),
    )

    code = await asyncio.to_thread(main, argv)

    assert code == 0, capsys.readouterr().err
    assert tls_sim.ecu(DME).persistent.version == "1.1.0"
    assert "now runs 1.1.0" in capsys.readouterr().out


async def test_flash_with_a_ca_that_did_not_sign_the_entity_is_refused_with_a_clear_error(
    tmp_path: Path,
    tls_sim: RunningVehicle,
    tls_files: TlsFiles,
    signed_image: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert tls_sim.tls_port is not None
    argv = _flash_argv(
        tls_sim,
        tmp_path,
        signed_image,
        "--tls",
        "--ca-file",
        str(tls_files.other_ca),
        "--port",
        str(tls_sim.tls_port),
        # A refusal must not be taken for a lost link: no resume window to sit out.
        "--resume-window",
        "600",
    )

    code = await asyncio.to_thread(main, argv)

    assert code == 1
    error = capsys.readouterr().err
    assert f"TLS certificate of the DoIP entity at 127.0.0.1:{tls_sim.tls_port}" in error
    assert "is not trusted" in error and "--ca-file" in error
    assert tls_sim.ecu(DME).persistent.version == "1.0.0"


async def test_tls_connection_is_encrypted_and_checks_the_entity_address(
    tls_sim: RunningVehicle, tls_files: TlsFiles
) -> None:
    assert tls_sim.tls_port is not None
    connection = await asyncio.to_thread(
        doip_connection,
        "127.0.0.1",
        tls_sim.tls_port,
        DME,
        tls=tls_context(tls_files.ca),
    )
    try:
        sock = connection._connection._tcp_sock  # type: ignore[attr-defined]
        assert isinstance(sock, ssl.SSLSocket)
        assert sock.version() in ("TLSv1.2", "TLSv1.3")
        assert await asyncio.to_thread(_read_vin, connection) == "WBA5F3103MFX12345"
    finally:
        connection.close()


async def test_clear_tcp_to_the_tls_port_gets_no_diagnostics(tls_sim: RunningVehicle) -> None:
    assert tls_sim.tls_port is not None
    with pytest.raises((OSError, TimeoutError)):
        await asyncio.to_thread(doip_connection, "127.0.0.1", tls_sim.tls_port, DME)


async def test_central_security_activation_is_granted_over_tls(
    tls_sim: RunningVehicle, tls_files: TlsFiles
) -> None:
    assert tls_sim.tls_port is not None
    connection = await asyncio.to_thread(
        doip_connection,
        "127.0.0.1",
        tls_sim.tls_port,
        DME,
        tls=tls_context(tls_files.ca),
        activation_type=ActivationType.CENTRAL_SECURITY,
    )
    try:
        assert await asyncio.to_thread(_read_vin, connection) == "WBA5F3103MFX12345"
    finally:
        connection.close()


async def test_central_security_activation_without_tls_is_refused_as_requiring_tls(
    tls_sim: RunningVehicle,
) -> None:
    with pytest.raises(RoutingActivationRefusedError) as refused:
        await asyncio.to_thread(
            doip_connection,
            "127.0.0.1",
            tls_sim.port,
            DME,
            activation_type=ActivationType.CENTRAL_SECURITY,
        )

    assert refused.value.code == 0x07
    assert "needs a TLS connection" in str(refused.value)
    assert not isinstance(refused.value, OSError)  # the flasher must not retry it


@pytest.mark.parametrize("activation_type", [ActivationType.DEFAULT, ActivationType.WWH_OBD])
async def test_default_and_regulated_activation_are_granted_in_the_clear(
    tls_sim: RunningVehicle, activation_type: ActivationType
) -> None:
    connection = await asyncio.to_thread(
        doip_connection, "127.0.0.1", tls_sim.port, DME, activation_type=activation_type
    )
    try:
        assert await asyncio.to_thread(_read_vin, connection) == "WBA5F3103MFX12345"
    finally:
        connection.close()


@pytest.mark.parametrize("activation_type", [0x02, 0xDF, 0xE1])
async def test_an_activation_type_the_entity_does_not_know_is_refused_as_unsupported(
    tls_sim: RunningVehicle, activation_type: int
) -> None:
    with pytest.raises(RoutingActivationRefusedError) as refused:
        await asyncio.to_thread(
            doip_connection, "127.0.0.1", tls_sim.port, DME, activation_type=activation_type
        )

    assert refused.value.code == 0x06
    assert f"type 0x{activation_type:02X}" in str(refused.value)


async def test_flash_command_names_the_refused_activation_type(
    tmp_path: Path,
    tls_sim: RunningVehicle,
    signed_image: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = _flash_argv(
        tls_sim,
        tmp_path,
        signed_image,
        "--port",
        str(tls_sim.port),
        "--activation-type",
        "central-security",
    )

    code = await asyncio.to_thread(main, argv)

    assert code == 1
    error = capsys.readouterr().err
    assert "denied routing activation type 0xE0" in error and "use --tls" in error
    assert tls_sim.ecu(DME).persistent.version == "1.0.0"


def test_ca_file_without_tls_is_a_usage_error(
    tmp_path: Path, tls_files: TlsFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "--state-dir",
        str(tmp_path),
        "read-vehicle",
        "--port",
        "1",
        "--ca-file",
        str(tls_files.ca),
    ]

    assert main(argv) == 1
    assert "--ca-file is for TLS: add --tls" in capsys.readouterr().err


def test_unknown_activation_type_name_is_rejected_by_the_parser(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["read-vehicle", "--activation-type", "secure-please"])
    assert "not a routing activation type: 'secure-please'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "port"), [([], 13400), (["--tls"], 3496), (["--tls", "--port", "5000"], 5000)]
)
def test_tls_defaults_to_the_iso_13400_tls_port(options: list[str], port: int) -> None:
    args = build_parser().parse_args(["read-vehicle", *options])

    with connector_from_args(args) as connect:
        assert isinstance(connect, DoipConnector)
        assert connect.port == port
        assert (connect.tls is not None) == ("--tls" in options)
