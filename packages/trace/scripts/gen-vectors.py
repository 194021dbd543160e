#!/usr/bin/env python3
"""Writes test/vectors/python-uuid5.json: what Python's uuid module says for trace values,
session ids and jti forms. Standard library only. CI reads the committed JSON; it never runs
this script. Run it with `pnpm --filter @xshl/trace vectors` after changing the inputs."""
import json
import os
import uuid

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "vectors", "python-uuid5.json")


def enc(part):
    """A part as JSON: strings stay strings, ints become {"int": "<decimal>"} (JSON numbers
    would lose precision above 2**53)."""
    if isinstance(part, bool):
        raise TypeError("booleans are not trace parts")
    if isinstance(part, int):
        return {"int": str(part)}
    return part


def trace_text(parts):
    # The original's Trace.__str__: the parts joined with ':' through str().
    return ":".join(map(str, parts))


JTIS = [
    "00000000-0000-0000-0000-000000000000",
    "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
    "b5a1f6f4-3c1e-4d7e-9a8c-2f6d1e0c9b7a",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "123e4567-e89b-12d3-a456-426614174000",
]

PARTS = [
    [],
    [""],
    ["", ""],
    ["a"],
    ["a", "b"],
    ["a:b", "c"],
    ["a", "b:c"],
    ["Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36", "salt-1", "203.0.113.7"],
    ["Привет", "мир"],
    ["Ёжик в тумане"],
    ["😀", "👩‍👩‍👧‍👦"],
    ["e\u0301", "é"],
    ["\u0000", "\t\n"],
    ["日本語", "中文", "한국어"],
    ["x" * 10000],
    ["Ж" * 4096, "🚀" * 1024],
    [0],
    [1, 2, 3],
    [-1],
    [-(2**53) + 1, 2**53 - 1],
    [2**53],
    [2**64],
    [-(2**64)],
    [10**40],
    ["ua", 42, "salt"],
    ["::1", "fe80::1%eth0"],
    [":", ":", ":"],
    ["trailing:"],
    [" leading space", "trailing space "],
    ["\ud7ff", "\ue000", "\U0010ffff"],
]

NAMES = [
    "session_name",
    "a",
    "xshl",
    "Сессия",
    "🔑 keys",
    "https://issuer.example.org/.well-known/jwks.json",
    "n" * 1000,
    "name:with:colons",
]

SID_TRACES = [
    [],
    ["Mozilla/5.0", "salt"],
    ["Привет", 7],
    ["a:b", "c"],
    ["a", "b:c"],
    [2**64, "😀"],
]

JTI_FORMS = [
    "B5A1F6F4-3C1E-4D7E-9A8C-2F6D1E0C9B7A",
    "{b5a1f6f4-3c1e-4d7e-9a8c-2f6d1e0c9b7a}",
    "urn:uuid:b5a1f6f4-3c1e-4d7e-9a8c-2f6d1e0c9b7a",
    "urn:uuid:{B5A1F6F4-3C1E-4D7E-9A8C-2F6D1E0C9B7A}",
    "b5a1f6f43c1e4d7e9a8c2f6d1e0c9b7a",
    "B5A1F6F43C1E4D7E9A8C2F6D1E0C9B7A",
]


def main():
    vectors = {"uuid5": [], "trace": [], "sid": [], "jtiForms": []}
    for ns_name, ns in [("DNS", uuid.NAMESPACE_DNS), ("URL", uuid.NAMESPACE_URL),
                        ("OID", uuid.NAMESPACE_OID), ("X500", uuid.NAMESPACE_X500)]:
        for name in ["python.org", "www.example.com", "", "Привет", "😀"]:
            vectors["uuid5"].append({"namespace": str(ns), "namespaceName": ns_name,
                                     "name": name, "expected": str(uuid.uuid5(ns, name))})
    for i, parts in enumerate(PARTS):
        # every parts list with two jtis, so each namespace is exercised many times
        for jti in (JTIS[i % len(JTIS)], JTIS[(i + 2) % len(JTIS)]):
            vectors["trace"].append({
                "parts": [enc(p) for p in parts],
                "text": trace_text(parts),
                "jti": jti,
                "expected": str(uuid.uuid5(uuid.UUID(jti), trace_text(parts))),
            })
    for name in NAMES:
        for parts in SID_TRACES:
            ns = uuid.uuid5(uuid.NAMESPACE_OID, name)
            vectors["sid"].append({
                "name": name,
                "parts": [enc(p) for p in parts],
                "expected": str(uuid.uuid5(ns, trace_text(parts))),
            })
    trace = ["Mozilla/5.0", "salt"]
    for form in JTI_FORMS:
        vectors["jtiForms"].append({
            "jti": form,
            "normalized": str(uuid.UUID(form)),
            "parts": trace,
            "expected": str(uuid.uuid5(uuid.UUID(form), trace_text(trace))),
        })
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(vectors, f, ensure_ascii=False, indent=1)
        f.write("\n")
    total = sum(len(v) for v in vectors.values())
    print(f"wrote {total} vectors to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
