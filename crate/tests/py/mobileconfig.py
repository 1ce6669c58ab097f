"""Checks a certlab .mobileconfig with Python's own plist parser (plistlib), independently of
the Rust writer: every key Apple's Configuration Profile Reference requires of a profile
(TopLevel) and of a com.apple.security.root payload (CertificateRoot), UUID-shaped
PayloadUUIDs, and a payload whose DER is exactly the root's.

usage: mobileconfig.py PROFILE ROOT.der [PROFILE ...]
  Every PROFILE must pass; all of them must be byte-identical in their UUIDs and identifiers
  (they are profiles of the same root). Prints the profile's PayloadUUID on success."""
import plistlib
import re
import sys

UUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


def need(cond, what):
    if not cond:
        sys.exit(f"mobileconfig: {what}")


def check(path, der):
    with open(path, "rb") as f:
        p = plistlib.load(f)
    need(isinstance(p, dict), "the top level is not a dict")
    # TopLevel: PayloadIdentifier, PayloadType, PayloadUUID, PayloadVersion are required.
    for key, kind in (("PayloadIdentifier", str), ("PayloadType", str), ("PayloadUUID", str),
                      ("PayloadVersion", int), ("PayloadContent", list), ("PayloadDisplayName", str)):
        need(isinstance(p.get(key), kind), f"top level: {key} missing or not {kind.__name__}")
    need(p["PayloadType"] == "Configuration", "top level: PayloadType is not Configuration")
    need(p["PayloadVersion"] == 1, "top level: PayloadVersion is not 1")
    need(UUID.match(p["PayloadUUID"]), f"top level: PayloadUUID {p['PayloadUUID']!r} is not a UUID")
    need(len(p["PayloadContent"]) == 1, "expected exactly one payload")
    r = p["PayloadContent"][0]
    # CommonPayloadKeys + CertificateRoot: PayloadType, PayloadIdentifier, PayloadUUID,
    # PayloadVersion and the certificate as PayloadContent (data).
    for key, kind in (("PayloadIdentifier", str), ("PayloadType", str), ("PayloadUUID", str),
                      ("PayloadVersion", int), ("PayloadContent", bytes)):
        need(isinstance(r.get(key), kind), f"payload: {key} missing or not {kind.__name__}")
    need(r["PayloadType"] == "com.apple.security.root", "payload: PayloadType is not com.apple.security.root")
    need(r["PayloadVersion"] == 1, "payload: PayloadVersion is not 1")
    need(UUID.match(r["PayloadUUID"]), f"payload: PayloadUUID {r['PayloadUUID']!r} is not a UUID")
    need(r["PayloadUUID"] != p["PayloadUUID"], "the payload and the profile share a UUID")
    need(r["PayloadIdentifier"] != p["PayloadIdentifier"], "the payload and the profile share an identifier")
    need(r["PayloadContent"] == der, "payload: the certificate is not the root's DER")
    return (p["PayloadUUID"], p["PayloadIdentifier"], r["PayloadUUID"], r["PayloadIdentifier"])


def main():
    need(len(sys.argv) >= 3, __doc__)
    with open(sys.argv[2], "rb") as f:
        der = f.read()
    ids = [check(path, der) for path in [sys.argv[1], *sys.argv[3:]]]
    need(all(i == ids[0] for i in ids), f"UUIDs differ between profiles of the same root: {ids}")
    print(ids[0][0])


main()
