"""Evidence that proves itself: signed packs a controller or its auditor verifies offline.

- `signing`: the Ed25519 signing keys (key ids, rotation, the published public keys);
- `rules`: pure rules — the manifest, the checksum list, the journal chain from a pack's files;
- `contents`: what a pack holds for one controller and period (read from the domains);
- `pack`: building the AES-256 zip; `verify`: checking one, naming each failure in French.
"""
