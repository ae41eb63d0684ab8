use jsonwebtoken::{Algorithm, Validation};

/// HS256 validation that accepts a token only before the second its `exp` names (see [`until_exp`]).
pub(super) fn hs256_until_exp(required_claims: &[&str]) -> Validation {
    until_exp(Algorithm::HS256, required_claims)
}

/// Validation of `algorithm` alone that accepts a token only before the second its `exp` names,
/// with no leeway: the library on its own still accepts `exp == now`, up to a second past expiry,
/// unless told to refuse tokens with less than a second left. Whatever outlives a token to
/// void it early (a logout's revocation, a step token's use record) can then expire with it.
pub(super) fn until_exp(algorithm: Algorithm, required_claims: &[&str]) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.leeway = 0;
    validation.reject_tokens_expiring_in_less_than = 1;
    validation.set_required_spec_claims(required_claims);
    validation
}
