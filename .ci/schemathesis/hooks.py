"""A check of the accounts service: a request that its OpenAPI document calls valid is never refused for its
shape. The service answers 400 both for shape (a malformed mobile) and for state (a wrong or expired code), so
the check reads the error body's stable `code`: shape codes fail the run, state codes are allowed (the document
describes them on each operation's 400 answer)."""

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

# Rules that JSON Schema cannot state for these operations, documented in their descriptions:
# step 3 of find password takes `sms_code` for a username or mobile and `email_code` for an email address (which
# one depends on the path's `account`).
ALLOWED_BY_OPERATION = {
    "confirmPasswordResetCode": {"required", "invalid_code"},
}


@schemathesis.check
def shape_accepted(ctx, response, case):
    if response.status_code not in (400, 413, 415):
        return None
    try:
        code = response.json().get("code")
    except ValueError:
        code = None
    allowed = ALLOWED_BY_OPERATION.get(case.operation.definition.raw.get("operationId"), set())
    if code in SHAPE_CODES and code not in allowed:
        raise AssertionError(f"schema-valid request refused for its shape: {response.status_code} {code}")
    return None
