"""schemathesis hooks for the OpenAPI fuzz test (test/fuzz/openapi-fuzz.test.ts).

Every generated request gets valid credentials for the security its operation declares:

- session / session + csrf: the compliance officer's session cookie and CSRF token;
- oauth (scope accounts): the app's client-credentials token;
- oauth (scopes openid accounts): the customer's access token under a consent with every
  permission this bank serves.

Both tokens are DPoP-bound, so each call carries a fresh proof signed with the token's key,
for this method and URL, with a unique jti and the token's hash (ath). Known identifiers
(a consent, an account, an audit event) sometimes replace generated path parameters, so
that successful answers are checked against the schema too, not only refusals.

The test passes everything in the FUZZ_AUTH environment variable as JSON.
"""

import base64
import hashlib
import json
import os
import threading
import time
import uuid

import jwt
import requests
import schemathesis
from hypothesis import strategies as st
from jwt.algorithms import ECAlgorithm
from schemathesis.transport.prepare import prepare_url

AUTH = json.loads(os.environ["FUZZ_AUTH"])


def _signer(credentials):
    private = ECAlgorithm.from_jwk(json.dumps(credentials["dpopJwk"]))
    public = {k: credentials["dpopJwk"][k] for k in ("kty", "crv", "x", "y")}
    ath = base64.urlsafe_b64encode(hashlib.sha256(credentials["accessToken"].encode()).digest()).rstrip(b"=")
    return {"token": credentials["accessToken"], "key": private, "jwk": public, "ath": ath.decode()}


SIGNERS = {"client": _signer(AUTH["client"]), "customer": _signer(AUTH["customer"])}


def _security_kind(operation):
    """'session', 'client', 'customer' or None, from the operation's declared security."""
    for requirement in operation.definition.raw.get("security") or []:
        if "session" in requirement:
            return "session"
        if "oauth" in requirement:
            return "customer" if "openid" in requirement["oauth"] else "client"
    return None


def _dpop_proof(signer, method, url):
    # The proof's htu is the request URL without query and fragment, exactly as it is sent.
    sent = requests.Request(method, url).prepare().url.split("?")[0].split("#")[0]
    claims = {"jti": str(uuid.uuid4()), "htm": method, "htu": sent, "iat": int(time.time()), "ath": signer["ath"]}
    return jwt.encode(claims, signer["key"], algorithm="ES256", headers={"typ": "dpop+jwt", "jwk": signer["jwk"]})


@schemathesis.hook
def flatmap_path_parameters(ctx, path_parameters):
    """Half of the time, a generated identifier is replaced by one that exists for these credentials."""
    if not path_parameters:
        return st.just(path_parameters)
    known = {
        "ConsentId": AUTH["known"]["ConsentId"],
        "AccountId": AUTH["known"]["AccountId"],
        "consentId": AUTH["known"]["auditConsentId"],
        "seq": AUTH["known"]["seq"],
    }
    real = {name: known[name] for name in path_parameters if name in known}
    if not real:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, **real}])


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    kind = _security_kind(case.operation)
    if kind is None:
        return
    headers = case.headers if case.headers is not None else {}
    case.headers = headers
    if kind == "session":
        headers["Cookie"] = AUTH["session"]["cookie"]
        headers["x-csrf-token"] = AUTH["session"]["csrf"]
        return
    if kind == "customer" and not headers.get("x-fapi-customer-ip-address"):
        # Customer present: without it the unattended limit (4 calls a day) answers 429 to
        # nearly every call and leaves the reads untested (tests under test/data-api cover it).
        headers["x-fapi-customer-ip-address"] = "198.51.100.7"
    signer = SIGNERS[kind]
    method = case.method.upper()
    headers["Authorization"] = f"DPoP {signer['token']}"
    headers["DPoP"] = _dpop_proof(signer, method, prepare_url(case, None))


_STATUS_LOG = os.environ.get("FUZZ_STATUS_LOG")
_STATUS_LOCK = threading.Lock()


@schemathesis.hook
def after_call(ctx, case, response):
    """One line per answer (operation, status, seconds), for the test's per-operation table."""
    if not _STATUS_LOG:
        return
    line = f"{case.method.upper()} {case.operation.path}\t{response.status_code}\t{response.elapsed:.4f}\n"
    with _STATUS_LOCK, open(_STATUS_LOG, "a", encoding="utf-8") as log:
        log.write(line)
