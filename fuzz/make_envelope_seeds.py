#!/usr/bin/env python3
"""Writes the seed corpus of record_envelope_fuzzer: a few RecordEnvelopes as the store keeps them
(proto/daftar/v1/store.proto, fields in number order as SerializeDeterministic writes them), each
preceded by the target's mode byte (record_envelope_fuzzer.cc): 0x00 an envelope decoded at
position 1, 0x01 a bare StoredRecord the target seals itself. Run once; the output is committed.

    python3 fuzz/make_envelope_seeds.py fuzz/corpus/record_envelope_fuzzer
"""
import hashlib
import os
import sys


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value) if value else b""


def field_bytes(number, value):
    return varint(number << 3 | 2) + varint(len(value)) + value if value else b""


def stored_record(position, stream_id, version, event_type, payload, actor, role, request_id,
                  recorded_at_us, previous_hash, reason=b""):
    metadata = (field_bytes(1, actor) + field_bytes(2, role) + field_bytes(3, request_id)
                + field_bytes(6, reason))
    return (field_varint(1, position) + field_bytes(2, stream_id) + field_varint(3, version)
            + field_bytes(4, event_type) + field_varint(5, 1) + field_bytes(6, payload)
            + field_bytes(7, metadata) + field_varint(8, recorded_at_us)
            + field_bytes(9, previous_hash))


def envelope(record, previous_hash):
    return field_bytes(1, record) + field_bytes(2, hashlib.sha256(previous_hash + record).digest())


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    zero = bytes(32)
    first = stored_record(1, b"ruleset/offshoring-2025-v1", 1, b"RuleSetAdopted",
                          b"\x0a\x12offshoring-2025-v1", b"operator-1", b"operator",
                          b"ruleset:5f2a:0", 1751328000000000, zero)
    contract = stored_record(1, b"contract/OFF-00001", 1, b"ContractSigned",
                             b"\x0a\x09OFF-00001\x12\x0f002907236000035", b"operator-1",
                             b"operator", b"contracts:9c1e:0", 1751328000000123,
                             hashlib.sha256(b"previous").digest(), reason=b"import")
    seeds = {
        "envelope-ruleset": b"\x00" + envelope(first, zero),
        "envelope-contract": b"\x00" + envelope(contract, hashlib.sha256(b"previous").digest()),
        "envelope-bad-hash": b"\x00" + field_bytes(1, first) + field_bytes(2, zero),
        "sealed-ruleset": b"\x01" + first,
        "sealed-contract": b"\x01" + contract,
        "sealed-short-previous-hash": b"\x01" + stored_record(
            7, b"payout/PO-000001", 3, b"PayoutApproved", b"\x08\x01", b"approver-1",
            b"approver", b"approve:PO-000001", 1760000000000000, b"\x01" * 31),
    }
    for name, data in seeds.items():
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
