"""CRC-32C (Castagnoli), to verify GCP Secret Manager payloads (the client library does not)."""

from __future__ import annotations

__all__ = ["crc32c"]


def _table() -> tuple[int, ...]:
    polynomial = 0x82F63B78  # reversed Castagnoli polynomial
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ polynomial if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_TABLE = _table()


def crc32c(data: bytes) -> int:
    """``crc32c(b"123456789") == 0xE3069283`` (the standard check value)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF
