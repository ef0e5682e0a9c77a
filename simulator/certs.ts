// Local PKI for the simulator: a self-signed CA, a localhost server certificate signed by it,
// and throwaway self-signed certificates for app client credentials (client_assertion).
// Keys come from node:crypto (fast); node-forge only builds and signs the X.509 structures.
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import forge from "node-forge";

const DAY_MS = 24 * 60 * 60 * 1000;

interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

function newRsaKeyPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

function serialNumber(): string {
  // Positive, 16 bytes: a leading 0x01 keeps the DER integer from being read as negative.
  return "01" + randomBytes(15).toString("hex");
}

interface CertSpec {
  subjectCN: string;
  publicKeyPem: string;
  signerKeyPem: string;
  issuer?: forge.pki.Certificate; // omitted = self-signed
  validDays: number;
  extensions: object[];
}

function buildCertificate(spec: CertSpec): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(spec.publicKeyPem);
  cert.serialNumber = serialNumber();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - DAY_MS); // tolerate clock skew
  cert.validity.notAfter = new Date(now + spec.validDays * DAY_MS);
  const subject = [{ name: "commonName", value: spec.subjectCN }];
  cert.setSubject(subject);
  cert.setIssuer(spec.issuer ? spec.issuer.subject.attributes : subject);
  cert.setExtensions(spec.extensions);
  cert.sign(forge.pki.privateKeyFromPem(spec.signerKeyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return cert;
}

function derOf(cert: forge.pki.Certificate): Buffer {
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), "binary");
}

export interface CertificatePaths {
  caCertPath: string;
  certPath: string;
  keyPath: string;
}

/**
 * Idempotent: creates `dir`, a CA (ca.pem, ca-key.pem) and a localhost server certificate
 * (localhost.pem, localhost-key.pem; SAN DNS:localhost, IP:127.0.0.1) signed by it, only when missing.
 * Start every Node process that calls the simulator with NODE_EXTRA_CA_CERTS=<caCertPath>.
 */
export function ensureCertificates(dir: string): CertificatePaths {
  mkdirSync(dir, { recursive: true });
  const caCertPath = path.join(dir, "ca.pem");
  const caKeyPath = path.join(dir, "ca-key.pem");
  const certPath = path.join(dir, "localhost.pem");
  const keyPath = path.join(dir, "localhost-key.pem");

  let caCreated = false;
  if (!existsSync(caCertPath) || !existsSync(caKeyPath)) {
    const keys = newRsaKeyPair();
    const ca = buildCertificate({
      subjectCN: "Defender Portal Simulator Local CA",
      publicKeyPem: keys.publicKeyPem,
      signerKeyPem: keys.privateKeyPem,
      validDays: 3650,
      extensions: [
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
        { name: "subjectKeyIdentifier" },
      ],
    });
    writeFileSync(caKeyPath, keys.privateKeyPem, { mode: 0o600 });
    writeFileSync(caCertPath, forge.pki.certificateToPem(ca));
    caCreated = true;
  }

  if (caCreated || !existsSync(certPath) || !existsSync(keyPath)) {
    const ca = forge.pki.certificateFromPem(readFileSync(caCertPath, "utf8"));
    const caKeyPem = readFileSync(caKeyPath, "utf8");
    const keys = newRsaKeyPair();
    const server = buildCertificate({
      subjectCN: "localhost",
      publicKeyPem: keys.publicKeyPem,
      signerKeyPem: caKeyPem,
      issuer: ca,
      validDays: 825, // within the maximum browsers accept for TLS server certificates
      extensions: [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        {
          name: "subjectAltName",
          altNames: [
            { type: 2, value: "localhost" },
            { type: 7, ip: "127.0.0.1" },
          ],
        },
        { name: "subjectKeyIdentifier" },
        { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
      ],
    });
    writeFileSync(keyPath, keys.privateKeyPem, { mode: 0o600 });
    writeFileSync(certPath, forge.pki.certificateToPem(server));
  }

  return { caCertPath, certPath, keyPath };
}

export interface SelfSignedCertificate {
  certPem: string;
  privateKeyPem: string;
  /** Uppercase hex SHA-256 of the DER certificate (msal-node `clientCertificate.thumbprintSha256`). */
  thumbprintSha256Hex: string;
  /** Uppercase hex SHA-1 of the DER certificate (legacy `x5t`, msal-node `clientCertificate.thumbprint`). */
  thumbprintSha1Hex: string;
}

/** A self-signed certificate for an app registration's client credential (valid one year). */
export function createSelfSignedCertificate(commonName: string): SelfSignedCertificate {
  const keys = newRsaKeyPair();
  const cert = buildCertificate({
    subjectCN: commonName,
    publicKeyPem: keys.publicKeyPem,
    signerKeyPem: keys.privateKeyPem,
    validDays: 365,
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, critical: true },
    ],
  });
  const der = derOf(cert);
  return {
    certPem: forge.pki.certificateToPem(cert),
    privateKeyPem: keys.privateKeyPem,
    thumbprintSha256Hex: createHash("sha256").update(der).digest("hex").toUpperCase(),
    thumbprintSha1Hex: createHash("sha1").update(der).digest("hex").toUpperCase(),
  };
}

/** Thumbprints (base64url, as in JWT `x5t#S256` / `x5t` headers) of a PEM certificate. */
export function certificateThumbprints(certPem: string): { x5tS256: string; x5t: string; cert: X509Certificate } {
  const cert = new X509Certificate(certPem);
  return {
    x5tS256: createHash("sha256").update(cert.raw).digest("base64url"),
    x5t: createHash("sha1").update(cert.raw).digest("base64url"),
    cert,
  };
}

/** A self-signed certificate (PEM) wrapping an existing RSA key pair: the `x5c` of the token signing key. */
export function selfSignedCertificateForKey(commonName: string, privateKeyPem: string, publicKeyPem: string, validDays = 3650): string {
  const cert = buildCertificate({
    subjectCN: commonName,
    publicKeyPem,
    signerKeyPem: privateKeyPem,
    validDays,
    extensions: [{ name: "basicConstraints", cA: false }],
  });
  return forge.pki.certificateToPem(cert);
}
