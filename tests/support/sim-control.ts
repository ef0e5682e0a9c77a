import type { TenantView } from "../../simulator/directory.ts";

/** A client for the simulator's control API (`/_sim/*`), for tests and demos. */
export class SimControl {
  constructor(readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}/_sim${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator ${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  directory() {
    return this.call<{ partner: TenantView; customers: TenantView[] }>("GET", "/directory");
  }
  createTenant(input: { displayName: string; domain?: string; defenderLicence?: boolean }) {
    return this.call<TenantView>("POST", "/tenants", input);
  }
  grantConsent(tenantId: string, roles?: Record<string, string[]>) {
    return this.call<unknown>("POST", `/tenants/${tenantId}/consent`, roles ? { roles } : {});
  }
  revokeConsent(tenantId: string) {
    return this.call<unknown>("DELETE", `/tenants/${tenantId}/consent`);
  }
  setRoles(tenantId: string, resource: string, roles: string[]) {
    return this.call<unknown>("PUT", `/tenants/${tenantId}/roles`, { resource, roles });
  }
  requests() {
    return this.call<Record<string, Record<string, number>>>("GET", "/requests");
  }
  resetRequests() {
    return this.call<unknown>("POST", "/requests/reset");
  }
}

let counter = 0;
/** A fresh customer tenant per test, so tests never share consent state. */
export function uniqueTenantName(label: string): { displayName: string; domain: string } {
  counter += 1;
  const slug = `${label.toLowerCase().replace(/[^a-z0-9]/g, "")}${Date.now().toString(36)}${counter}`;
  return { displayName: `${label} ${counter} ${Date.now().toString(36)}`, domain: `${slug}.onmicrosoft.com` };
}
