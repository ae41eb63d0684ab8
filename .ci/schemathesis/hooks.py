"""A check of the accounts service: a request that its OpenAPI document calls valid is never refused for its
shape. The service answers 400 both for shape (a malformed mobile) and for state (a wrong or expired code), so
the check reads the error body's stable `code`: shape codes fail the run, state codes are allowed (the document
describes them on each operation's 400 answer).

The body's `code` is only the first field error's. A form whose passwords differ is answered `password_mismatch`
before its later fields (mobile, email, the codes, `allow`), and random passwords almost always differ: so, for
about half the generated forms, `password2` repeats `password`, which lets the later fields' own errors be the
first; and a `password_mismatch` answer must name no other field (every invalid field gets its key, API.md)."""

import zlib
from urllib.parse import unquote

import schemathesis

# Error codes that judge only the request itself: a schema-valid request must never get them.
SHAPE_CODES = {
    "invalid_username",
    "invalid_mobile",
    "invalid_email",
    "invalid_password",
    "invalid_code",
    "invalid_captcha",
    "invalid_profile",
    "invalid_choice",
    "required",
    "agreement_required",
    "malformed_body",
    "unsupported_media_type",
    "payload_too_large",
}

# The error body's keys that are not a field's (API.md, "Error body").
NOT_FIELDS = {"code", "message", "non_field_errors", "detail", "retry_after", "provider_code"}


@schemathesis.hook
def map_case(ctx, case):
    """Repeats `password` in `password2` for about half the forms holding both, chosen by the two values so a
    seed replays the same cases, and a phase varying only one of them still gets both kinds. Both fields share
    one schema: the form stays valid by the document."""
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("password"), str) and isinstance(body.get("password2"), str):
        if zlib.crc32(f"{body['password']}\0{body['password2']}".encode()) % 2 == 0:
            body["password2"] = body["password"]
    return case


def reset_code_needed_but_absent(case, error):
    """Step 3 of find password reads `sms_code` for a username or mobile and `email_code` for an email address
    (the operation's description); JSON Schema cannot tie which one to the path's `account`, so the document
    makes both optional. A request without the one its account needs may be refused for it, on that field."""
    # schemathesis keeps path parameters percent-encoded, as sent.
    account = unquote(str((case.path_parameters or {}).get("account", "")))
    needed = "email_code" if "@" in account else "sms_code"
    return needed not in (case.query or {}) and needed in error


def deletion_confirmation_needed_but_absent(case, error):
    """An account deletion is confirmed with the password, or with `sms_code` by an account without one (the
    operation's description); which one depends on the account, so the document makes both optional. A request
    without the one the signed-in account needs may be refused for it, on that field."""
    body = case.body if isinstance(case.body, dict) else {}
    return any(field in error and not body.get(field) for field in ("password", "sms_code"))


# Refusals for shape that JSON Schema cannot rule out for these operations, each judged on the case and its body.
ALLOWED_BY_OPERATION = {
    "confirmPasswordResetCode": {"invalid_code": reset_code_needed_but_absent},
    "requestAccountDeletion": {"required": deletion_confirmation_needed_but_absent},
}


@schemathesis.check
def shape_accepted(ctx, response, case):
    if response.status_code not in (400, 413, 415):
        return None
    try:
        error = response.json()
    except ValueError:
        error = None
    if not isinstance(error, dict):
        error = {}
    code = error.get("code")
    allowed = ALLOWED_BY_OPERATION.get(case.operation.definition.raw.get("operationId"), {})
    if code in SHAPE_CODES and not (code in allowed and allowed[code](case, error)):
        raise AssertionError(f"schema-valid request refused for its shape: {response.status_code} {code} {error}")
    if code == "password_mismatch":
        # A form is checked whole before any state (a code, a taken name) is: beside the differing passwords,
        # any other field named is one refused for its shape, which the `code` does not show.
        others = sorted(set(error) - NOT_FIELDS - {"password2"})
        if others:
            raise AssertionError(f"schema-valid request refused for its shape: password_mismatch and {others}: {error}")
    return None
