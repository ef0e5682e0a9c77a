import { createPrivateKey, randomUUID } from "node:crypto";
import { SignJWT } from "jose";

export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/**
 * A certificate credential's client assertion as Entra documents it (identity-platform/certificate-credentials):
 * PS256, the certificate's SHA-256 thumbprint in `x5t#S256`, `aud` = the token endpoint, `iss` = `sub` = the client
 * id, a fresh `jti`, valid for ten minutes. MSAL builds its own for app tokens; sign-in (next-auth) uses this one.
 */
export async function clientAssertion(o: { clientId: string; tokenEndpoint: string; privateKeyPem: string; thumbprintSha256: string }): Promise<string> {
  // createPrivateKey reads PKCS#1 and PKCS#8 PEM alike (certificates exported from Key Vault or openssl differ).
  const key = createPrivateKey(o.privateKeyPem);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "PS256", typ: "JWT", "x5t#S256": Buffer.from(o.thumbprintSha256, "hex").toString("base64url") })
    .setAudience(o.tokenEndpoint)
    .setIssuer(o.clientId)
    .setSubject(o.clientId)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 600)
    .sign(key);
}
