"""Seal the TOTP secrets (envelope encryption) and drop the plain-text columns.

The cipher comes from the caller (``attributes={"envelope_cipher": ...}``: tests, the seed
command) or from the service's settings (``IDENTITY_SECRET_KEYS_FILE``), as the running service
will use.

Revision ID: 0002_seal_totp_secrets
Revises: 0001_initial
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from servicekit.envelope import EnvelopeCipher
from servicekit.migrations import migration_cipher

revision = "0002_seal_totp_secrets"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

_COLUMNS = ("totp_secret", "totp_pending_secret")


def _cipher() -> EnvelopeCipher:
    from identity.config import Settings
    from identity.services.totp_secrets import load_secret_cipher

    return migration_cipher(lambda: load_secret_cipher(Settings()))


def upgrade() -> None:
    from identity.services.totp_secrets import totp_context

    for column in _COLUMNS:
        op.add_column("users", sa.Column(f"{column}_sealed", sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, totp_secret, totp_pending_secret FROM users "
            "WHERE totp_secret IS NOT NULL OR totp_pending_secret IS NOT NULL"
        )
    ).all()
    cipher = _cipher() if rows else None  # no secret stored: no key needed
    for user_id, *plain in rows:
        assert cipher is not None
        sealed = {
            column: None
            if value is None
            else cipher.seal(value.encode(), context=totp_context(user_id, column))
            for column, value in zip(_COLUMNS, plain, strict=True)
        }
        bind.execute(
            sa.text(
                "UPDATE users SET totp_secret_sealed = :totp_secret, "
                "totp_pending_secret_sealed = :totp_pending_secret WHERE id = :id"
            ),
            {**sealed, "id": user_id},
        )
    for column in _COLUMNS:
        op.drop_column("users", column)


def downgrade() -> None:
    from identity.services.totp_secrets import totp_context

    for column in _COLUMNS:
        op.add_column("users", sa.Column(column, sa.Text(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, totp_secret_sealed, totp_pending_secret_sealed FROM users "
            "WHERE totp_secret_sealed IS NOT NULL OR totp_pending_secret_sealed IS NOT NULL"
        )
    ).all()
    cipher = _cipher() if rows else None
    for user_id, *sealed in rows:
        assert cipher is not None
        plain = {
            column: None
            if value is None
            else cipher.unseal(bytes(value), context=totp_context(user_id, column)).decode()
            for column, value in zip(_COLUMNS, sealed, strict=True)
        }
        bind.execute(
            sa.text(
                "UPDATE users SET totp_secret = :totp_secret, "
                "totp_pending_secret = :totp_pending_secret WHERE id = :id"
            ),
            {**plain, "id": user_id},
        )
    for column in _COLUMNS:
        op.drop_column("users", f"{column}_sealed")
