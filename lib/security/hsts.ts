/**
 * HSTS only when the portal is served over https (NEXTAUTH_URL): over http the header is ignored by browsers
 * (RFC 6797 §8.1) and would only mislead. One year, subdomains included (the value OWASP's HSTS cheat sheet gives).
 */
export const HSTS_VALUE = "max-age=31536000; includeSubDomains";

export function hstsHeader(appUrl: string | undefined): string | null {
  return appUrl?.startsWith("https://") ? HSTS_VALUE : null;
}
