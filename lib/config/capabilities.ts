import { MICROSOFT_APIS, qualifiedRole, type RequiredPermission } from "./permissions.ts";

/**
 * What the portal can do in a customer's tenant, and the application permissions each needs. `read` is what onboarding
 * asks for (REQUIRED_PERMISSIONS); the others are asked for later with an additional-permissions link, one capability
 * at a time, so a customer admin approves exactly what a feature needs.
 */
export type CapabilityKey = "read" | "triage" | "hunting" | "response" | "analyst";

export interface Capability {
  key: CapabilityKey;
  label: string;
  /** Why the partner asks, in the words the customer admin reads on the onboarding page. */
  why: string;
  permissions: RequiredPermission[];
  /**
   * Delegated permissions (on behalf of a signed-in analyst), consented by the customer's admin for all users. A
   * token for the app never shows them, so the portal cannot tell whether they are granted: a link can always ask.
   */
  delegated?: RequiredPermission[];
}

const permission = (api: keyof typeof MICROSOFT_APIS, name: string, description: string): RequiredPermission => ({
  ...MICROSOFT_APIS[api],
  permission: name,
  description,
});

/** The capabilities beyond reading (api-update-incidents.md, security-security-runhuntingquery.md, isolate-machine.md …). */
export const UPGRADE_CAPABILITIES: readonly Capability[] = [
  {
    key: "triage",
    label: "Incident updates (triage)",
    why: "Lets the partner's analysts set an incident's status, assignment, classification and comments in Microsoft Defender, so your incidents are worked where they live.",
    permissions: [
      permission("defenderXdr", "Incident.ReadWrite.All", "Read and update Defender XDR incidents (status, assignment, classification, comments)."),
    ],
  },
  {
    key: "hunting",
    label: "Advanced hunting",
    why: "Lets the partner's analysts run read-only advanced hunting (KQL) queries over your Defender data when they investigate a threat across customers.",
    permissions: [permission("graph", "ThreatHunting.Read.All", "Run advanced hunting queries (read only).")],
  },
  {
    key: "response",
    label: "Device response actions",
    why: "Lets the partner's analysts isolate a compromised device, release it, run an antivirus scan or collect an investigation package, each recorded in Defender's action center.",
    permissions: [
      permission("mde", "Machine.Read.All", "Read device profiles."),
      permission("mde", "Machine.Isolate", "Isolate and release devices."),
      permission("mde", "Machine.Scan", "Run antivirus scans on devices."),
      permission("mde", "Machine.CollectForensics", "Collect investigation packages from devices."),
    ],
  },
  {
    // Issue 13: user context. api-update-incidents.md (Incident.ReadWrite delegated), isolate-machine.md, run-av-scan.md,
    // collect-investigation-package.md, get-machineaction-object.md (Machine.* delegated).
    key: "analyst",
    label: "Changes made as the partner's analysts (user context)",
    why: "Lets the partner's analysts make changes (triage, device response actions) with their own accounts in your tenant, so Microsoft Defender records the person who made each change. Each analyst must be a guest in your tenant with a Defender role; their role limits what they can do.",
    permissions: [],
    delegated: [
      permission("defenderXdr", "Incident.ReadWrite", "Read and update incidents on behalf of the signed-in analyst, within their Defender role."),
      permission("mde", "Machine.Read", "Read device information on behalf of the signed-in analyst."),
      permission("mde", "Machine.Isolate", "Isolate and release devices on behalf of the signed-in analyst, within their Defender role."),
      permission("mde", "Machine.Scan", "Run antivirus scans on behalf of the signed-in analyst, within their Defender role."),
      permission("mde", "Machine.CollectForensics", "Collect investigation packages on behalf of the signed-in analyst, within their Defender role."),
    ],
  },
];

export function capabilities(required: readonly RequiredPermission[]): Capability[] {
  return [
    {
      key: "read",
      label: "Read incidents and alerts",
      why: "Lets the partner read your Defender incidents and alerts to monitor them.",
      permissions: [...required],
    },
    ...UPGRADE_CAPABILITIES,
  ];
}

export function findUpgradeCapability(key: string): Capability | undefined {
  return UPGRADE_CAPABILITIES.find((c) => c.key === key);
}

export function capabilityRoles(capability: Capability): string[] {
  return capability.permissions.map((p) => qualifiedRole(p.resource, p.permission));
}

/** Per capability: granted when every one of its roles is in the customer's granted roles. */
export function capabilityStatus(required: readonly RequiredPermission[], grantedRoles: readonly string[]) {
  return capabilities(required).map((c) => {
    const missing = c.permissions.filter((p) => !grantedRoles.includes(qualifiedRole(p.resource, p.permission)));
    // Delegated permissions cannot be read from an app token: shown as "not confirmed", and always requestable.
    const delegated = (c.delegated ?? []).map((p) => `${p.permission} (delegated)`);
    return {
      key: c.key,
      label: c.label,
      why: c.why,
      granted: missing.length === 0 && delegated.length === 0,
      missing: [...missing.map((p) => p.permission), ...(delegated.length ? ["delegated consent (not visible to the portal)"] : [])],
      permissions: [...c.permissions.map((p) => p.permission), ...delegated],
    };
  });
}
