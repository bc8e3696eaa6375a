"""Pseudonyms of identifiers, byte-identical to the reference for the same salt and key.

Owns: the salted hashes (`t~`) and reversible tokens (`p~`, AES-CBC with a PBKDF2 key) of
account ids, emails (parsed by an RFC 2822 grammar, canonicalized) and IP addresses; the
recognizer of account ids; Java's text of numbers and strings that the hashes are taken over;
and the keys of a deployment (`PseudonymKeys`) with the tools built from them once
(`PseudonymTools`), which the transforms and the gateway (`reverse_tokens`) share.

May import: `proxy.errors`, `proxy.secret_value`, `proxy.pseudonym_options` (and cryptography).

>>> from proxy.secret_value import Secret
>>> keys = PseudonymKeys(salt=Secret("salt"), encryption_key=Secret("key"))
>>> tools = PseudonymTools.from_keys(keys)
>>> identity = tools.pseudonymizer.pseudonymize("alice@acme.com")
>>> tools.pseudonymizer.url_safe_token(identity)
't~UFdK0TvVTvZ23c6QslyCy0o2MSq2DRtDjEXfTPJyyMk@acme.com'
"""

from proxy.sanitize.pseudonyms._account_ids import (
    canonical_account_id,
    contains_identifier,
    decoded_forms,
    is_email_address,
    personal_space_owner,
)
from proxy.sanitize.pseudonyms._emails import Mailbox, parse_mailbox
from proxy.sanitize.pseudonyms._ip_addresses import IpPseudonymizer
from proxy.sanitize.pseudonyms._keys import PseudonymKeys, PseudonymTools
from proxy.sanitize.pseudonyms._pseudonymizer import (
    TOKEN_IN_TEXT,
    PseudonymizedIdentity,
    Pseudonymizer,
    ReverseTokens,
)
from proxy.sanitize.pseudonyms._reversible import (
    HASH_LENGTH,
    NOT_OURS,
    b64url_decode,
    b64url_encode,
)

__all__ = [
    "HASH_LENGTH",
    "NOT_OURS",
    "TOKEN_IN_TEXT",
    "IpPseudonymizer",
    "Mailbox",
    "PseudonymKeys",
    "PseudonymTools",
    "PseudonymizedIdentity",
    "Pseudonymizer",
    "ReverseTokens",
    "b64url_decode",
    "b64url_encode",
    "canonical_account_id",
    "contains_identifier",
    "decoded_forms",
    "is_email_address",
    "parse_mailbox",
    "personal_space_owner",
]
