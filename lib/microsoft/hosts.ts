/**
 * Where each Microsoft API lives, per customer region (defender-docs api-list-incidents.md: regional hosts
 * api-us/api-eu/api-uk.security.microsoft.com and us./eu./uk./au./swa./ina.api.security.microsoft.com).
 */
export type Region = "us" | "eu" | "uk" | "au" | "swa" | "ina";
export type MicrosoftApi = "xdr" | "mde" | "graph" | "siem";

export const API_RESOURCE: Record<MicrosoftApi, string> = {
  xdr: "https://api.security.microsoft.com",
  mde: "https://api.securitycenter.microsoft.com",
  graph: "https://graph.microsoft.com",
  // The legacy SIEM API takes a v1 token for the (old) Azure AD Graph resource.
  siem: "https://graph.windows.net",
};

/** A customer's region as stored ("global" = no regional host) → the region hosts are chosen by. */
export function regionOf(stored: string): Region | null {
  return stored === "global" ? null : (stored as Region);
}

/** The host for an API in a region; `null` region = the global host. */
export function apiHost(api: MicrosoftApi, region: Region | null): string {
  switch (api) {
    case "xdr":
    case "mde":
      // Both the incidents and the MDE alerts APIs answer on the security.microsoft.com hosts.
      return region ? `${region}.api.security.microsoft.com` : "api.security.microsoft.com";
    case "graph":
      return "graph.microsoft.com";
    case "siem": {
      // The SIEM exporter exists only in eu, us and uk; other regions use the nearest.
      const r = region === "eu" || region === "uk" ? region : "us";
      return `wdatp-alertexporter-${r}.windows.com`;
    }
  }
}

/**
 * The URL for a request. `base` (MICROSOFT_API_BASE) replaces `https://` with a prefix: the local simulator serves
 * every host at `https://localhost:PORT/{host}/...`.
 */
export function apiUrl(api: MicrosoftApi, region: Region | null, path: string, base: string | null): string {
  const host = apiHost(api, region);
  return base ? `${base.replace(/\/$/, "")}/${host}${path}` : `https://${host}${path}`;
}

/** Documented per-tenant quotas; the portal keeps under them so it is never the cause of throttling. */
export const API_QUOTAS: Record<MicrosoftApi, { perMinute: number; perHour: number | null }> = {
  xdr: { perMinute: 50, perHour: 1500 },
  mde: { perMinute: 100, perHour: 1500 },
  graph: { perMinute: 150, perHour: null },
  siem: { perMinute: 100, perHour: 1500 }, // UNCONFIRMED for the SIEM API: treated like MDE
};
