// The simulated Entra directory: the partner tenant, customer tenants, their users, and which
// tenants hold a service principal of the partner's multi-tenant app with which app roles.
// Everything that identifies something (tenant IDs, object IDs, names) derives from the seed.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

// ---------------------------------------------------------------------------------------------
// Resources (first-party APIs) and their application permissions (app roles)
// ---------------------------------------------------------------------------------------------

export interface ResourceDefinition {
  key: "mtp" | "wdatp" | "graph" | "aadgraph";
  displayName: string;
  /** Canonical identifier URI; tokens and counters use it. */
  uri: string;
  /** Other identifier URIs Entra accepts for the same resource. */
  aliases: readonly string[];
  appId: string;
  /** Needs a Defender licence in the tenant for its service principal to exist there. */
  requiresDefenderLicence: boolean;
  /** Application permissions (app roles) with the description the consent page shows. */
  appRoles: Readonly<Record<string, string>>;
  /**
   * Delegated permissions (oauth2PermissionScopes): a user token's `scp`, limited by the user's own Defender role.
   * defender-docs api-update-incidents.md (Incident.ReadWrite), isolate-machine.md (Machine.Isolate), run-av-scan.md
   * (Machine.Scan), collect-investigation-package.md (Machine.CollectForensics), get-machineaction-object.md (Machine.Read).
   */
  delegatedScopes: Readonly<Record<string, string>>;
}

export const RESOURCES = {
  mtp: {
    key: "mtp",
    displayName: "Microsoft Threat Protection",
    uri: "https://api.security.microsoft.com",
    aliases: [],
    appId: "8ee8fdad-f234-4243-8f3b-15c294843740",
    requiresDefenderLicence: true,
    appRoles: {
      "Incident.Read.All": "Read all incidents",
      "Incident.ReadWrite.All": "Read and write all incidents",
      "AdvancedHunting.Read.All": "Run advanced queries",
    },
    delegatedScopes: {
      "Incident.Read": "Read incidents",
      "Incident.ReadWrite": "Read and write incidents",
    },
  },
  wdatp: {
    key: "wdatp",
    displayName: "WindowsDefenderATP",
    uri: "https://api.securitycenter.microsoft.com",
    aliases: ["https://securitycenter.onmicrosoft.com/windowsatpservice"],
    appId: "fc780465-2017-40d4-a0c5-307022471b92",
    requiresDefenderLicence: true,
    appRoles: {
      "Alert.Read.All": "Read all alerts",
      "Alert.ReadWrite.All": "Read and write all alerts",
      "Machine.Read.All": "Read all machine profiles",
      "Machine.Isolate": "Isolate machine",
      "Machine.Scan": "Scan machine",
      "Machine.CollectForensics": "Collect forensics",
      "Vulnerability.Read.All": "Read Threat and Vulnerability Management vulnerability information",
    },
    delegatedScopes: {
      "Alert.Read": "Read alerts",
      "Alert.ReadWrite": "Read and write alerts",
      "Machine.Read": "Read machine information",
      "Machine.ReadWrite": "Read and write machine information",
      "Machine.Isolate": "Isolate machine",
      "Machine.Scan": "Scan machine",
      "Machine.CollectForensics": "Collect forensics",
    },
  },
  graph: {
    key: "graph",
    displayName: "Microsoft Graph",
    uri: "https://graph.microsoft.com",
    aliases: [],
    appId: "00000003-0000-0000-c000-000000000000",
    requiresDefenderLicence: false,
    appRoles: {
      "SecurityIncident.Read.All": "Read your organization's security incidents",
      "SecurityIncident.ReadWrite.All": "Read and write to all security incidents",
      "SecurityAlert.Read.All": "Read all security alerts",
      "SecurityAlert.ReadWrite.All": "Read and write to all security alerts",
      "ThreatHunting.Read.All": "Run hunting queries",
      "Organization.Read.All": "Read organization information",
      "CrossTenantInformation.ReadBasic.All": "Read basic information of other tenants",
    },
    delegatedScopes: {
      "User.Read": "Sign in and read user profile",
      "SecurityIncident.Read.All": "Read incidents",
      "SecurityIncident.ReadWrite.All": "Read and write to incidents",
    },
  },
  aadgraph: {
    key: "aadgraph",
    displayName: "Windows Azure Active Directory (legacy SIEM API)",
    uri: "https://graph.windows.net",
    aliases: [],
    appId: "00000002-0000-0000-c000-000000000000",
    requiresDefenderLicence: false,
    appRoles: {
      "Directory.Read.All": "Read directory data",
    },
    delegatedScopes: {},
  },
} as const satisfies Record<string, ResourceDefinition>;

export type ResourceKey = keyof typeof RESOURCES;
export const RESOURCE_LIST: readonly ResourceDefinition[] = Object.values(RESOURCES);

/** Permissions the portal app registration declares (requiredResourceAccess), by canonical resource URI. */
export const DEFAULT_REQUIRED_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  [RESOURCES.mtp.uri]: ["Incident.Read.All"],
  [RESOURCES.wdatp.uri]: ["Alert.Read.All"],
  [RESOURCES.graph.uri]: ["SecurityIncident.Read.All", "SecurityAlert.Read.All"],
};

/**
 * App roles the portal app itself defines (assigned to partner staff; emitted in id_token `roles`). Portal.Responder
 * is a capability, not a role: with Portal.Analyst it lets an analyst run device response actions.
 */
export const PORTAL_APP_ROLES = ["Portal.Admin", "Portal.Analyst", "Portal.Responder"] as const;

function normaliseUri(uri: string): string {
  return uri.trim().replace(/\/+$/, "").toLowerCase();
}

/** Finds a resource by identifier URI (or alias) or appId GUID, case-insensitively. */
export function findResource(identifier: string): ResourceDefinition | undefined {
  const id = normaliseUri(identifier);
  return RESOURCE_LIST.find((r) => normaliseUri(r.uri) === id || r.appId === id || r.aliases.some((a) => normaliseUri(a) === id));
}

/** True when a token `aud` names the resource (canonical URI, alias or appId). */
export function audienceMatches(aud: string, resource: ResourceDefinition): boolean {
  return findResource(aud)?.key === resource.key;
}

// ---------------------------------------------------------------------------------------------
// Deterministic identifiers
// ---------------------------------------------------------------------------------------------

/** A v4-shaped GUID derived from sha256(seed|label). */
export function deterministicGuid(seed: string, label: string): string {
  const b = createHash("sha256").update(`${seed}|${label}`).digest();
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function pick<T>(seed: string, label: string, list: readonly T[]): T {
  const n = createHash("sha256").update(`${seed}|${label}`).digest().readUInt32BE(0);
  return list[n % list.length]!;
}

const FIRST_NAMES = ["Alex", "Blake", "Casey", "Dana", "Elliot", "Frankie", "Jordan", "Kai", "Morgan", "Quinn", "Riley", "Sam", "Taylor", "Rowan"];
const LAST_NAMES = [
  "Andersen",
  "Bauer",
  "Chen",
  "Dubois",
  "Estrada",
  "Fischer",
  "Garcia",
  "Haddad",
  "Ivanova",
  "Jensen",
  "Kowalski",
  "Larsen",
  "Moreau",
  "Nakamura",
];

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------

export interface DirectoryUser {
  upn: string;
  name: string;
  oid: string;
  /** Global Administrator of its tenant: may grant tenant-wide admin consent. */
  isAdmin: boolean;
  /** App roles of the portal app assigned to this user (partner tenant only). */
  appRoles: string[];
}

export interface Tenant {
  id: string;
  domain: string;
  displayName: string;
  kind: "partner" | "customer";
  defenderLicence: boolean;
  users: DirectoryUser[];
}

export interface ServicePrincipalState {
  /** Object ID of the portal app's service principal in this tenant (the `oid` of app tokens). */
  objectId: string;
  /** Granted application permissions, by canonical resource URI. */
  grantedRoles: Record<string, string[]>;
  /**
   * Delegated permissions an admin consented to for all users of the tenant (an oauth2PermissionGrant with
   * consentType AllPrincipals), by canonical resource URI. A user token asks only for these, else AADSTS65001.
   */
  grantedScopes: Record<string, string[]>;
  consentedAt: string;
}

/**
 * Defender role permissions a user may hold in a tenant (defender-docs user-roles.md: "View data", "Alerts
 * investigation", "Active remediation actions"). A delegated call needs the user's own permission as well as the scope:
 * api-update-incidents.md / update-alert.md ("Alerts investigation"), isolate-machine.md ("Active remediation actions").
 */
export const DEFENDER_ROLE_PERMISSIONS = ["View data", "Alerts investigation", "Active remediation actions"] as const;
export type DefenderRolePermission = (typeof DEFENDER_ROLE_PERMISSIONS)[number];

/** A partner user invited into a customer tenant as a B2B guest: its own object there, its own Defender roles. */
export interface GuestMembership {
  upn: string;
  /** The guest user object's id in the resource tenant (not the home oid). */
  oid: string;
  defenderRoles: DefenderRolePermission[];
}

/** Who a user is inside one tenant: a member of it, or a guest invited from another tenant. */
export interface TenantMembership {
  user: DirectoryUser;
  homeTenant: Tenant;
  tenant: Tenant;
  /** `oid` of tokens the tenant issues for this user. */
  oid: string;
  guest: boolean;
  defenderRoles: readonly DefenderRolePermission[];
}

export interface DirectoryUserView {
  upn: string;
  name: string;
  oid: string;
  isAdmin: boolean;
  roles: string[];
}
export interface TenantView {
  id: string;
  domain: string;
  displayName: string;
  defenderLicence: boolean;
  users: DirectoryUserView[];
  /** The portal app's service principal exists in the tenant (admin consent granted). */
  consented: boolean;
  servicePrincipalId: string | null;
  grantedRoles: Record<string, string[]>;
  grantedScopes: Record<string, string[]>;
  /** B2B guests invited into this tenant, with their Defender role permissions there. */
  guests: GuestMembership[];
  consentedAt: string | null;
}
export interface DirectoryView {
  partner: TenantView;
  customers: TenantView[];
}

const SEEDED_CUSTOMERS: readonly { displayName: string; slug: string; defenderLicence: boolean }[] = [
  { displayName: "Fabrikam", slug: "fabrikam", defenderLicence: true },
  { displayName: "Northwind Traders", slug: "northwindtraders", defenderLicence: true },
  { displayName: "Tailspin Toys", slug: "tailspintoys", defenderLicence: true },
  { displayName: "Woodgrove Bank", slug: "woodgrovebank", defenderLicence: true },
  { displayName: "Adventure Works", slug: "adventureworks", defenderLicence: true },
  { displayName: "Litware", slug: "litware", defenderLicence: false },
];

const persistedStateSchema = z.object({
  version: z.literal(1),
  seed: z.string(),
  createdTenants: z.array(z.object({ displayName: z.string(), domain: z.string(), defenderLicence: z.boolean() })),
  servicePrincipals: z.record(
    z.string(),
    z.object({
      grantedRoles: z.record(z.string(), z.array(z.string())),
      grantedScopes: z.record(z.string(), z.array(z.string())).optional(),
      consentedAt: z.string(),
    }),
  ),
});
type PersistedState = z.infer<typeof persistedStateSchema>;

export class DirectoryError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface DirectoryOptions {
  seed: string;
  clientId: string;
  requiredPermissions?: Readonly<Record<string, readonly string[]>>;
  preconsentedCustomers: number;
  stateFile?: string;
  log: (line: string) => void;
}

export class Directory {
  readonly seed: string;
  readonly clientId: string;
  readonly requiredPermissions: Readonly<Record<string, readonly string[]>>;
  readonly partner: Tenant;
  private readonly tenants: Tenant[] = [];
  private readonly createdTenants: PersistedState["createdTenants"] = [];
  private readonly servicePrincipals = new Map<string, ServicePrincipalState>();
  /** B2B guests by resource tenant id, then by home UPN. In memory: a restarted simulator has its seeded guests. */
  private readonly guests = new Map<string, Map<string, GuestMembership>>();
  private readonly stateFile: string | undefined;
  private readonly log: (line: string) => void;

  constructor(opts: DirectoryOptions) {
    this.seed = opts.seed;
    this.clientId = opts.clientId;
    this.requiredPermissions = opts.requiredPermissions ?? DEFAULT_REQUIRED_PERMISSIONS;
    this.stateFile = opts.stateFile;
    this.log = opts.log;

    this.partner = this.buildTenant("Contoso MSSP", "contosomssp.onmicrosoft.com", "partner", true);
    this.tenants.push(this.partner);
    for (const c of SEEDED_CUSTOMERS) {
      this.tenants.push(this.buildTenant(c.displayName, `${c.slug}.onmicrosoft.com`, "customer", c.defenderLicence));
    }

    // The app's home tenant always holds its service principal, with no Defender roles; the partner admin granted it
    // the cross-tenant look-up the portal uses to name a consenting tenant.
    this.servicePrincipals.set(this.partner.id, {
      objectId: this.servicePrincipalObjectId(this.partner.id),
      grantedRoles: { [RESOURCES.graph.uri]: ["CrossTenantInformation.ReadBasic.All"] },
      grantedScopes: {},
      consentedAt: new Date(0).toISOString(),
    });
    this.seedGuests();

    const loaded = this.loadState();
    if (!loaded) {
      const customers = this.customers();
      for (const t of customers.slice(0, Math.max(0, opts.preconsentedCustomers))) {
        this.setServicePrincipal(t.id, this.allRequiredRoles(), false);
      }
      this.saveState();
    }
  }

  // --- queries -------------------------------------------------------------------------------

  customers(): Tenant[] {
    return this.tenants.filter((t) => t.kind === "customer");
  }

  allTenants(): readonly Tenant[] {
    return this.tenants;
  }

  /** Resolves a `{tenant}` path segment that names one tenant (GUID or verified domain). */
  findTenant(segment: string): Tenant | undefined {
    const s = segment.toLowerCase();
    return this.tenants.find((t) => t.id === s || t.domain === s);
  }

  findUser(upn: string): { tenant: Tenant; user: DirectoryUser } | undefined {
    const u = upn.trim().toLowerCase();
    for (const tenant of this.tenants) {
      const user = tenant.users.find((x) => x.upn === u);
      if (user) return { tenant, user };
    }
    return undefined;
  }

  /**
   * Replaces the portal app roles assigned to a partner user (Entra: Enterprise applications → Users and groups).
   * The next id token carries them. In memory only: a restarted simulator has its seeded assignments again.
   */
  setUserAppRoles(upn: string, roles: readonly string[]): DirectoryUser {
    const found = this.findUser(upn);
    if (!found) throw new DirectoryError(`User '${upn}' not found`, 404);
    if (found.tenant.id !== this.partner.id) throw new DirectoryError("App roles of the portal app are assigned to the partner's own users", 409);
    const unknown = roles.filter((r) => !(PORTAL_APP_ROLES as readonly string[]).includes(r));
    if (unknown.length > 0) throw new DirectoryError(`Unknown app roles: ${unknown.join(", ")}`, 400);
    found.user.appRoles = [...new Set(roles)];
    return found.user;
  }

  servicePrincipal(tenantId: string): ServicePrincipalState | undefined {
    return this.servicePrincipals.get(tenantId);
  }

  /** Whether the first-party resource's service principal exists in the tenant. */
  resourcePresent(tenant: Tenant, resource: ResourceDefinition): boolean {
    return !resource.requiresDefenderLicence || tenant.defenderLicence;
  }

  servicePrincipalObjectId(tenantId: string): string {
    return deterministicGuid(this.seed, `sp:${tenantId}:${this.clientId}`);
  }

  allRequiredRoles(): Record<string, string[]> {
    return Object.fromEntries(Object.entries(this.requiredPermissions).map(([k, v]) => [k, [...v]]));
  }

  // --- mutations -----------------------------------------------------------------------------

  createTenant(input: { displayName: string; domain?: string; defenderLicence: boolean }): Tenant {
    const slug = input.displayName.toLowerCase().replace(/[^a-z0-9]/g, "");
    const domain = (input.domain ?? `${slug || "tenant"}.onmicrosoft.com`).toLowerCase();
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(domain)) {
      throw new DirectoryError(`Invalid domain '${domain}'`, 400);
    }
    if (this.findTenant(domain)) throw new DirectoryError(`Domain '${domain}' is already in use`, 409);
    const tenant = this.buildTenant(input.displayName, domain, "customer", input.defenderLicence);
    if (this.findTenant(tenant.id)) throw new DirectoryError(`Tenant '${tenant.id}' already exists`, 409);
    this.tenants.push(tenant);
    this.createdTenants.push({ displayName: tenant.displayName, domain, defenderLicence: input.defenderLicence });
    this.saveState();
    this.log(`tenant created: ${tenant.displayName} (${tenant.id})`);
    return tenant;
  }

  /**
   * Admin consent: creates the SP if needed and adds the app roles and, for all users of the tenant, the delegated
   * permissions asked for (consent is additive).
   */
  grantConsent(tenantId: string, roles: Record<string, readonly string[]>, scopes: Record<string, readonly string[]> = {}): ServicePrincipalState {
    const existing = this.servicePrincipals.get(tenantId);
    const merge = (current: Record<string, string[]>, added: Record<string, readonly string[]>) => {
      const merged: Record<string, string[]> = { ...current };
      for (const [resourceUri, list] of Object.entries(added)) {
        const union = new Set([...(merged[resourceUri] ?? []), ...list]);
        if (union.size > 0) merged[resourceUri] = [...union].sort();
      }
      return merged;
    };
    return this.setServicePrincipal(tenantId, merge(existing?.grantedRoles ?? {}, roles), true, merge(existing?.grantedScopes ?? {}, scopes));
  }

  /** Replaces the SP's granted roles (creates it when absent); its delegated grants are kept unless given. */
  setServicePrincipal(
    tenantId: string,
    grantedRoles: Record<string, string[]>,
    persist = true,
    grantedScopes?: Record<string, string[]>,
  ): ServicePrincipalState {
    const clean = (m: Record<string, string[]>) =>
      Object.fromEntries(
        Object.entries(m)
          .filter(([, v]) => v.length > 0)
          .map(([k, v]) => [k, [...new Set(v)].sort()]),
      );
    const sp: ServicePrincipalState = {
      objectId: this.servicePrincipalObjectId(tenantId),
      grantedRoles: clean(grantedRoles),
      grantedScopes: clean(grantedScopes ?? this.servicePrincipals.get(tenantId)?.grantedScopes ?? {}),
      consentedAt: this.servicePrincipals.get(tenantId)?.consentedAt ?? new Date().toISOString(),
    };
    this.servicePrincipals.set(tenantId, sp);
    if (persist) this.saveState();
    return sp;
  }

  setGrantedRoles(tenantId: string, resourceUri: string, roles: string[]): ServicePrincipalState {
    const sp = this.servicePrincipals.get(tenantId);
    if (!sp) throw new DirectoryError("The app has no service principal in this tenant (no consent)", 409);
    return this.setServicePrincipal(tenantId, { ...sp.grantedRoles, [resourceUri]: [...new Set(roles)].sort() });
  }

  /** Replaces the delegated permissions granted for one resource (an admin editing the oauth2PermissionGrant). */
  setGrantedScopes(tenantId: string, resourceUri: string, scopes: string[]): ServicePrincipalState {
    const sp = this.servicePrincipals.get(tenantId);
    if (!sp) throw new DirectoryError("The app has no service principal in this tenant (no consent)", 409);
    return this.setServicePrincipal(tenantId, sp.grantedRoles, true, { ...sp.grantedScopes, [resourceUri]: [...new Set(scopes)].sort() });
  }

  // --- guests (B2B) --------------------------------------------------------------------------

  /**
   * Seeded guests, the same for every seed's tenants: the partner's admin and analyst are guests of the first two
   * customers (Fabrikam, Northwind Traders) with every Defender role permission; analyst2 is a guest of Fabrikam with
   * "View data" only (its writes are refused with 403). Everyone else is a guest nowhere (AADSTS50020).
   */
  private seedGuests(): void {
    const [first, second] = this.customers();
    const all = [...DEFENDER_ROLE_PERMISSIONS];
    const p = this.partner.domain;
    for (const t of [first, second]) {
      if (!t) continue;
      this.addGuest(t.id, `admin@${p}`, all);
      this.addGuest(t.id, `analyst@${p}`, all);
    }
    if (first) this.addGuest(first.id, `analyst2@${p}`, ["View data"]);
  }

  guestsOf(tenantId: string): GuestMembership[] {
    return [...(this.guests.get(tenantId)?.values() ?? [])].map((g) => ({ ...g, defenderRoles: [...g.defenderRoles] }));
  }

  /** Invites a user of another tenant (Entra: New user → Invite external user), or updates the guest's Defender roles. */
  addGuest(tenantId: string, upn: string, defenderRoles: readonly string[] = ["View data"]): GuestMembership {
    const tenant = this.findTenant(tenantId);
    if (!tenant) throw new DirectoryError(`Tenant '${tenantId}' not found`, 404);
    const home = this.findUser(upn);
    if (!home) throw new DirectoryError(`User '${upn}' not found`, 404);
    if (home.tenant.id === tenant.id) throw new DirectoryError("A member of the tenant cannot be its guest", 409);
    const unknown = defenderRoles.filter((r) => !(DEFENDER_ROLE_PERMISSIONS as readonly string[]).includes(r));
    if (unknown.length > 0) throw new DirectoryError(`Unknown Defender role permissions: ${unknown.join(", ")}`, 400);
    let map = this.guests.get(tenant.id);
    if (!map) this.guests.set(tenant.id, (map = new Map()));
    const guest: GuestMembership = {
      upn: home.user.upn,
      oid: deterministicGuid(this.seed, `guest:${tenant.id}:${home.user.upn}`),
      defenderRoles: [...new Set(defenderRoles)] as DefenderRolePermission[],
    };
    map.set(home.user.upn, guest);
    return guest;
  }

  removeGuest(tenantId: string, upn: string): boolean {
    return this.guests.get(tenantId)?.delete(upn.trim().toLowerCase()) ?? false;
  }

  /** The user as the tenant knows them: a member (admins hold every Defender permission) or an invited guest. */
  membership(upn: string, tenantId: string): TenantMembership | undefined {
    const home = this.findUser(upn);
    const tenant = this.findTenant(tenantId);
    if (!home || !tenant) return undefined;
    if (home.tenant.id === tenant.id) {
      const roles = home.user.isAdmin ? [...DEFENDER_ROLE_PERMISSIONS] : [];
      return { user: home.user, homeTenant: home.tenant, tenant, oid: home.user.oid, guest: false, defenderRoles: roles };
    }
    const guest = this.guests.get(tenant.id)?.get(home.user.upn);
    if (!guest) return undefined;
    return { user: home.user, homeTenant: home.tenant, tenant, oid: guest.oid, guest: true, defenderRoles: guest.defenderRoles };
  }

  /** The member or guest behind a token's `oid` in `tenantId`. */
  membershipByOid(tenantId: string, oid: string): TenantMembership | undefined {
    const tenant = this.findTenant(tenantId);
    if (!tenant) return undefined;
    const member = tenant.users.find((u) => u.oid === oid);
    if (member) return this.membership(member.upn, tenant.id);
    const guest = [...(this.guests.get(tenant.id)?.values() ?? [])].find((g) => g.oid === oid);
    return guest ? this.membership(guest.upn, tenant.id) : undefined;
  }

  /** Removes the SP (what deleting the enterprise application does). */
  revokeConsent(tenantId: string): boolean {
    if (tenantId === this.partner.id) throw new DirectoryError("The app's home tenant keeps its service principal", 409);
    const removed = this.servicePrincipals.delete(tenantId);
    this.saveState();
    return removed;
  }

  // --- views ---------------------------------------------------------------------------------

  tenantView(t: Tenant): TenantView {
    const sp = this.servicePrincipals.get(t.id);
    return {
      id: t.id,
      domain: t.domain,
      displayName: t.displayName,
      defenderLicence: t.defenderLicence,
      users: t.users.map((u) => ({ upn: u.upn, name: u.name, oid: u.oid, isAdmin: u.isAdmin, roles: [...u.appRoles] })),
      consented: Boolean(sp),
      servicePrincipalId: sp?.objectId ?? null,
      grantedRoles: sp ? structuredClone(sp.grantedRoles) : {},
      grantedScopes: sp ? structuredClone(sp.grantedScopes) : {},
      guests: this.guestsOf(t.id),
      consentedAt: sp && t.kind === "customer" ? sp.consentedAt : null,
    };
  }

  view(): DirectoryView {
    return { partner: this.tenantView(this.partner), customers: this.customers().map((t) => this.tenantView(t)) };
  }

  // --- internals -----------------------------------------------------------------------------

  private buildTenant(displayName: string, domain: string, kind: Tenant["kind"], defenderLicence: boolean): Tenant {
    const id = deterministicGuid(this.seed, `tenant:${domain}`);
    const person = (upn: string, isAdmin: boolean, appRoles: string[], fixedName?: string): DirectoryUser => ({
      upn,
      name: fixedName ?? `${pick(this.seed, `first:${upn}`, FIRST_NAMES)} ${pick(this.seed, `last:${upn}`, LAST_NAMES)}`,
      oid: deterministicGuid(this.seed, `user:${upn}`),
      isAdmin,
      appRoles,
    });
    const users =
      kind === "partner"
        ? [
            person(`admin@${domain}`, true, ["Portal.Admin"], "Avery Admin"),
            // Ari may run device response actions (the Responder app role); Sasha is an analyst without it.
            person(`analyst@${domain}`, false, ["Portal.Analyst", "Portal.Responder"], "Ari Analyst"),
            person(`analyst2@${domain}`, false, ["Portal.Analyst"], "Sasha Analyst"),
            person(`norole@${domain}`, false, [], "Noa Norole"),
          ]
        : [person(`admin@${domain}`, true, []), person(`user@${domain}`, false, [])];
    return { id, domain, displayName, kind, defenderLicence, users };
  }

  private loadState(): boolean {
    if (!this.stateFile || !existsSync(this.stateFile)) return false;
    let state: PersistedState;
    try {
      state = persistedStateSchema.parse(JSON.parse(readFileSync(this.stateFile, "utf8")));
    } catch (err) {
      this.log(`state file ${this.stateFile} unreadable, starting fresh: ${(err as Error).message}`);
      return false;
    }
    if (state.seed !== this.seed) {
      this.log(`state file ${this.stateFile} was written for seed '${state.seed}', not '${this.seed}': ignoring it`);
      return false;
    }
    for (const t of state.createdTenants) {
      if (this.findTenant(t.domain)) continue;
      this.tenants.push(this.buildTenant(t.displayName, t.domain, "customer", t.defenderLicence));
      this.createdTenants.push(t);
    }
    for (const [tenantId, sp] of Object.entries(state.servicePrincipals)) {
      if (!this.findTenant(tenantId)) continue;
      this.servicePrincipals.set(tenantId, { objectId: this.servicePrincipalObjectId(tenantId), ...sp, grantedScopes: sp.grantedScopes ?? {} });
    }
    if (!this.servicePrincipals.has(this.partner.id)) {
      this.servicePrincipals.set(this.partner.id, {
        objectId: this.servicePrincipalObjectId(this.partner.id),
        grantedRoles: { [RESOURCES.graph.uri]: ["CrossTenantInformation.ReadBasic.All"] },
        grantedScopes: {},
        consentedAt: new Date(0).toISOString(),
      });
    }
    return true;
  }

  private saveState(): void {
    if (!this.stateFile) return;
    const state: PersistedState = {
      version: 1,
      seed: this.seed,
      createdTenants: this.createdTenants,
      servicePrincipals: Object.fromEntries(
        [...this.servicePrincipals].map(([id, sp]) => [id, { grantedRoles: sp.grantedRoles, grantedScopes: sp.grantedScopes, consentedAt: sp.consentedAt }]),
      ),
    };
    mkdirSync(path.dirname(this.stateFile), { recursive: true });
    const tmp = `${this.stateFile}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(state, null, 2));
    renameSync(tmp, this.stateFile);
  }
}
