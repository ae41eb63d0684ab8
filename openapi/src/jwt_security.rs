//! The two ways an access token is sent, as two security schemes: `jwt` (`Authorization: Bearer <token>`,
//! an HTTP bearer scheme) and `jwt_classic` (`Authorization: JWT <token>`, the classic pages' form, which no
//! HTTP auth scheme of OpenAPI can state, so an API key in the `Authorization` header). The server accepts
//! both on every authenticated route (`adapters/http/src/auth.rs`); the document says so by giving every
//! operation that requires `jwt` the alternative `jwt_classic`, so that generated clients, Swagger UI's
//! "Authorize" and mock servers take either. Handlers name only `jwt` (`security(("jwt" = []))`): the
//! alternative is added here, for every operation at once, so a new endpoint cannot forget it.

use utoipa::Modify;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};

/// The scheme handlers name: `Authorization: Bearer <token>`.
const JWT: &str = "jwt";
/// The classic pages' form of the same token: `Authorization: JWT <token>`.
const JWT_CLASSIC: &str = "jwt_classic";

const TOKEN: &str = "A JWT (header `typ` `JWT`) signed with `JWT_ALGORITHM`: HS256, or ES256 or EdDSA with a `kid` \
     of `/.well-known/jwks.json`, with the claims `iss, aud, token_type (access), user_id, username, exp, iat, jti, ver`; \
     a token without this service's `iss` and `aud` and `token_type` `access` is refused.";

pub struct JwtSecurity;

impl Modify for JwtSecurity {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            JWT,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(format!(
                        "Access token from `POST /authorizations/` or `POST /users/`, sent as \
                         `Authorization: Bearer <token>`; the classic pages' `Authorization: JWT <token>` is the \
                         alternative `{JWT_CLASSIC}` on every operation. {TOKEN}"
                    )))
                    .build(),
            ),
        );
        components.add_security_scheme(
            JWT_CLASSIC,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization".to_owned(),
                format!(
                    "The same access token in the classic pages' form: the `Authorization` header is \
                     `JWT <token>` (the word `JWT`, a space, the token), e.g. `JWT eyJhbGciOi…`. Accepted wherever \
                     `{JWT}` (`Bearer <token>`) is. {TOKEN}"
                ),
            ))),
        );
        add_classic_alternative(openapi);
    }
}

/// After every requirement of `jwt` alone, the alternative `jwt_classic` (a list of requirements is a choice:
/// any one of them satisfies the operation).
fn add_classic_alternative(openapi: &mut OpenApi) {
    let jwt = SecurityRequirement::new(JWT, Vec::<String>::new());
    let classic = SecurityRequirement::new(JWT_CLASSIC, Vec::<String>::new());
    for item in openapi.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
        {
            let Some(requirements) = operation.security.as_mut() else { continue };
            if requirements.contains(&jwt) && !requirements.contains(&classic) {
                let at = requirements.iter().position(|r| *r == jwt).map_or(requirements.len(), |i| i + 1);
                requirements.insert(at, classic.clone());
            }
        }
    }
}
