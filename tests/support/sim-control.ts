import type { TenantView } from "../../simulator/directory.ts";
import type { FailNext, HuntingCounters, HuntingKnobs } from "../../simulator/hunting/service.ts";

/** Per-tenant hunting knobs: a value sets the override, null removes it (the default applies again). */
export type HuntingKnobChange = { [K in keyof HuntingKnobs]?: K extends "failNext" ? FailNext | null : HuntingKnobs[K] | null };

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
  setFaults(
    tenantId: string,
    faults: { latencyMs?: number; errorRate?: number; timeoutRate?: number; malformedRate?: number; throttleRate?: number; tokenEndpointDown?: boolean },
  ) {
    return this.call<unknown>("PUT", `/tenants/${tenantId}/faults`, faults);
  }
  setVolume(tenantId: string, incidentsPerTenant: number) {
    return this.call<unknown>("PUT", `/tenants/${tenantId}/defender`, { incidentsPerTenant });
  }
  /** The spellings Microsoft's examples mix (simulator/defender/service.ts Spelling). */
  setSpelling(tenantId: string, spelling: { enumCase?: "documented" | "pascal" | "camel"; graphTags?: "customTags" | "tags" }) {
    return this.call<unknown>("PUT", `/tenants/${tenantId}/defender`, spelling);
  }
  tick(tenantId: string, change: { create?: number; update?: number }) {
    return this.call<unknown>("POST", `/tenants/${tenantId}/defender/tick`, change);
  }
  /** Ground truth: every incident the simulator holds for the tenant. */
  incidents(tenantId: string) {
    return this.call<unknown>("GET", `/tenants/${tenantId}/defender/incidents`);
  }
  injectIncident(tenantId: string, overrides: Record<string, unknown>) {
    return this.call<unknown>("POST", `/tenants/${tenantId}/defender/incidents`, overrides);
  }
  /** Assigns exactly these portal app roles to a partner user (e.g. [] removes their access at the next sign-in). */
  setUserAppRoles(upn: string, roles: string[]) {
    return this.call<{ upn: string; roles: string[] }>("PUT", `/users/${encodeURIComponent(upn)}/app-roles`, { roles });
  }
  /** The tenant's Defender for Endpoint machines (device pool) with their isolation state. */
  machines(tenantId: string) {
    return this.call<{ machines: { id: string; computerDnsName: string; isolated: boolean }[] }>("GET", `/tenants/${tenantId}/defender/machines`);
  }
  /** Machine actions the simulator accepted for the tenant, with the body received. */
  machineActions(tenantId: string) {
    return this.call<{ actions: { id: string; type: string; status: string; machineId: string; body: unknown }[] }>(
      "GET",
      `/tenants/${tenantId}/defender/machineactions`,
    );
  }
  setMachineActionKnobs(tenantId: string, knobs: { pendingMs?: number; runMs?: number; failNext?: number }) {
    return this.call<unknown>("PUT", `/tenants/${tenantId}/defender/machineactions`, knobs);
  }
  /** Every machine-action request that reached the simulator (before any check). */
  machineActionRequests() {
    return this.call<{ requests: { method: string; path: string; atMs: number }[] }>("GET", "/defender/machineactions/requests");
  }
  resetQuotas(tenantId: string) {
    return this.call<unknown>("POST", `/tenants/${tenantId}/defender/quotas/reset`);
  }
  /** Advanced hunting defaults for every tenant (simulator/hunting/control.ts). */
  setHuntingDefaults(knobs: Partial<HuntingKnobs>) {
    return this.call<{ defaults: HuntingKnobs }>("PUT", "/hunting", knobs);
  }
  /** Advanced hunting knobs of one tenant: {slowMs, callsPerMinute, cpuBudgetMsPer15Min, timeoutMs, maxRows, failNext}. */
  setHunting(tenantId: string, knobs: HuntingKnobChange) {
    return this.call<{ knobs: HuntingKnobs }>("PUT", `/tenants/${tenantId}/hunting`, knobs);
  }
  /** The tenant's effective hunting knobs, its counters and its quota windows. */
  hunting(tenantId: string) {
    return this.call<{
      knobs: HuntingKnobs;
      overrides: Partial<HuntingKnobs>;
      counters: HuntingCounters;
      quota: { callsThisMinute: number; callsPerMinute: number; cpuMsUsedThisCycle: number; cpuBudgetMsPer15Min: number; cycleEndsAt: string | null };
    }>("GET", `/tenants/${tenantId}/hunting`);
  }
  /** Hunting counters of every tenant that called runHuntingQuery (calls, 429s by kind, peak calls per minute, ...). */
  huntingCounters() {
    return this.call<{ tenants: Record<string, HuntingCounters> }>("GET", "/hunting/counters");
  }
  resetHuntingCounters() {
    return this.call<unknown>("POST", "/hunting/counters/reset");
  }
  resetHuntingQuotas(tenantId: string) {
    return this.call<unknown>("POST", `/tenants/${tenantId}/hunting/quotas/reset`);
  }
  /** Ground truth: every row of a hunting table for the tenant (no Timespan applied). */
  huntingTable(tenantId: string, table: string) {
    return this.call<{ schema: { name: string; type: string }[]; rows: Record<string, unknown>[] }>("GET", `/tenants/${tenantId}/hunting/tables/${table}`);
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
