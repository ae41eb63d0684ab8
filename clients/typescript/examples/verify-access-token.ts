// How another Node service (cart, orders, the mini-program's backend) checks an access token of the
// accounts service with `JWT_ALGORITHM` ES256 or EdDSA, holding no secret: the public keys come from
// `GET /.well-known/jwks.json`. `jose` caches the set, picks the key the token's `kid` names, and
// fetches the set again when it meets a `kid` it does not know (a rotated key).
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";

/** The claims every access token carries (see docs/security.md). */
export interface AccessClaims extends JWTPayload {
  token_type: "access";
  user_id: number;
  username: string;
  jti: string;
  ver: number;
  sid?: string;
}

export interface AccountsTrust {
  /** The accounts service, e.g. `https://accounts.example.com`. */
  baseUrl: string;
  /** `JWT_ALGORITHM` of the accounts service: only this one is accepted. */
  algorithm: "ES256" | "EdDSA";
  /** `JWT_ISSUER` (default `meiduo-accounts`). */
  issuer: string;
  /** `JWT_AUDIENCE` (default `meiduo-mall`). */
  audience: string;
}

/** A verifier of `Authorization: Bearer <token>` or `JWT <token>` headers. */
export function accessTokenVerifier(trust: AccountsTrust) {
  const keys = createRemoteJWKSet(new URL("/.well-known/jwks.json", trust.baseUrl), {
    cacheMaxAge: 300_000, // as the service's Cache-Control says
    cooldownDuration: 30_000, // a token naming an unknown kid refetches the set at most this often
  });

  return async function verify(authorization: string | undefined): Promise<AccessClaims> {
    const match = /^(?:Bearer|JWT) (\S+)$/.exec(authorization ?? "");
    if (!match?.[1]) throw new Error("no access token");
    // Signature by a published key of the one algorithm, `iss`, `aud` and `exp` (no leeway).
    const { payload } = await jwtVerify(match[1], keys, {
      algorithms: [trust.algorithm],
      issuer: trust.issuer,
      audience: trust.audience,
      typ: "JWT",
      requiredClaims: ["exp", "iat", "jti"],
    });
    if (payload["token_type"] !== "access" || typeof payload["user_id"] !== "number") {
      throw new Error("not an access token");
    }
    // Logged-out tokens and signing out everywhere are known to the accounts service only: a token
    // stays good here until its `exp`. Ask `GET /user/` when that matters.
    return payload as AccessClaims;
  };
}
