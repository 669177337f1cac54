# ruff: noqa: E501 (argon2 hash strings are long; the secrets are the demo's printed ones)
"""The demo's secrets, hashed ahead: its staff PINs and its members' password.

Hashing them is most of the demo's first start (ten argon2 hashes at ~30 ms each, one after
another). These secrets are printed for people to use, so their hashes hide nothing; made
with the PIN hasher's settings (``security.hash_pin``), each with its own salt, they check
like any other. A test holds them to the secrets and to the hasher's current settings;
``python -m omo_backend.demo_hashes`` prints them anew when either changes.
"""

from __future__ import annotations

from omo_backend import security

HASHES = {
    "123456": "$argon2id$v=19$m=19456,t=2,p=1$olpkdzQr0bOgINDZ2SqRHg$ZtNGPI3sAKn9R6hX9Ix4IkjT/dat3hrGZcmk+egEsDI",
    "222222": "$argon2id$v=19$m=19456,t=2,p=1$XHGtu0knLVnOZrX6AL62og$+5RP60f8o7dn47zM4f+CFApwlfSWO6h7fJ6crp6dpE8",
    "333333": "$argon2id$v=19$m=19456,t=2,p=1$GYfihWKp3p6pDDxf1smgww$7ecXYFqkYugC/lXX29ra+HzM/y8dbAqaUmy6GZ/RJlc",
    "444444": "$argon2id$v=19$m=19456,t=2,p=1$UxYKb472GJkXsPXV3FV8og$zlroaiLgOojizV8LqB/mdZKsUaIGCi213edUPWWlmIg",
    "555555": "$argon2id$v=19$m=19456,t=2,p=1$Fh0hqxxdzGo6BoKBLX1ZeQ$Ye3RF23e8emD7WXakDrf86ShWlrQWAJHcIYLtGw7ODY",
    "666666": "$argon2id$v=19$m=19456,t=2,p=1$+NLmG44L1DPj00p66VMUOw$PlKbD6ZLbp3DbtAKR834lbtjBGjdwVgY9zw30p6eduw",
    "777777": "$argon2id$v=19$m=19456,t=2,p=1$LsrQDYqgAOPNU5nAUmrAHQ$asucSrJpXmRi0si8rEy2AG5/uq/lAzAPGbl1e09PSbg",
    "888888": "$argon2id$v=19$m=19456,t=2,p=1$HINuyKyuure7fstqqM2x+A$6mZvXi4r2fioCHGBAkXqhc930+e3IiA+BUBuMjFFcIw",
    "999999": "$argon2id$v=19$m=19456,t=2,p=1$aAjQDNeio1VjoRC3bSBDhA$4p6aXmLS6ze6rY2YnlYpyerGKRIyvwkxZLYuHk+NElQ",
    "demo-password": "$argon2id$v=19$m=19456,t=2,p=1$vb3F2fWcGNvtme7QLRbsaw$j/Ca1qGlCKdhgyozCMFmgj1Lm3q8DNae8V+S3capTWE",
}


def hashed(secret: str) -> str:
    """``secret``'s hash: the one made ahead, else made now."""
    return HASHES.get(secret) or security.hash_pin(secret)


def main() -> None:
    from omo_backend.demo_seed import MEMBER_PASSWORD, STAFF

    secrets = sorted({pin for *_, pin in STAFF} | {MEMBER_PASSWORD})
    print("HASHES = {")
    for secret in secrets:
        print(f'    "{secret}": "{security.hash_pin(secret)}",')
    print("}")


if __name__ == "__main__":
    main()
