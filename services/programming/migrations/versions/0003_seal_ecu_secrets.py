"""Seal the ECU security secrets (envelope encryption) and drop the plain-text column.

The cipher comes from the caller (``attributes={"envelope_cipher": ...}``, tests) or from
the service's settings (``PROGRAMMING_SECRET_KEYS_FILE``), as the running service will use.

Revision ID: programming_0003
Revises: programming_0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from servicekit.envelope import EnvelopeCipher
from servicekit.migrations import migration_cipher

revision: str = "programming_0003"
down_revision: str | None = "programming_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _cipher() -> EnvelopeCipher:
    from programming.config import Settings
    from programming.services.ecu_secrets import load_secret_cipher

    return migration_cipher(lambda: load_secret_cipher(Settings()))


def upgrade() -> None:
    from programming.services.ecu_secrets import seal_ecu_secret

    op.add_column("ecu_types", sa.Column("security_secret_sealed", sa.LargeBinary()))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT key, security_secret FROM ecu_types")).all()
    cipher = _cipher() if rows else None  # an empty catalog needs no key
    for key, secret in rows:
        assert cipher is not None
        bind.execute(
            sa.text("UPDATE ecu_types SET security_secret_sealed = :sealed WHERE key = :key"),
            {"sealed": seal_ecu_secret(cipher, key, bytes(secret)), "key": key},
        )
    op.alter_column("ecu_types", "security_secret_sealed", nullable=False)
    op.drop_column("ecu_types", "security_secret")


def downgrade() -> None:
    from programming.services.ecu_secrets import unseal_ecu_secret

    op.add_column("ecu_types", sa.Column("security_secret", sa.LargeBinary()))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT key, security_secret_sealed FROM ecu_types")).all()
    cipher = _cipher() if rows else None
    for key, sealed in rows:
        assert cipher is not None
        bind.execute(
            sa.text("UPDATE ecu_types SET security_secret = :secret WHERE key = :key"),
            {"secret": unseal_ecu_secret(cipher, key, bytes(sealed)), "key": key},
        )
    op.alter_column("ecu_types", "security_secret", nullable=False)
    op.drop_column("ecu_types", "security_secret_sealed")
