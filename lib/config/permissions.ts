import { z } from "zod";

/** An application permission (app role) the partner's app needs in every customer tenant. */
export interface RequiredPermission {
  /** Display name of the API as Entra shows it. */
  api: string;
  /** Resource URI used in `scope` and as the token audience. */
  resource: string;
  permission: string;
  /** What granting it allows, in the words a customer admin needs. */
  description: string;
}

/** The APIs the portal calls, keyed by a short name used in settings and health. */
export const MICROSOFT_APIS = {
  defenderXdr: { api: "Microsoft Threat Protection", resource: "https://api.security.microsoft.com" },
  mde: { api: "WindowsDefenderATP", resource: "https://api.securitycenter.microsoft.com" },
  graph: { api: "Microsoft Graph", resource: "https://graph.microsoft.com" },
} as const;

const DESCRIPTIONS: Record<string, string> = {
  "Incident.Read.All": "Read all Microsoft Defender XDR incidents, with their alerts, devices and evidence.",
  "Incident.ReadWrite.All": "Read and update Defender XDR incidents (status, assignment, classification, comments).",
  "Alert.Read.All": "Read all Microsoft Defender for Endpoint alerts and their evidence.",
  "Alert.ReadWrite.All": "Read and update Defender for Endpoint alerts.",
  "SecurityIncident.Read.All": "Read security incidents through Microsoft Graph.",
  "SecurityAlert.Read.All": "Read security alerts through Microsoft Graph.",
};

export const DEFAULT_REQUIRED_PERMISSIONS: RequiredPermission[] = [
  { ...MICROSOFT_APIS.defenderXdr, permission: "Incident.Read.All", description: DESCRIPTIONS["Incident.Read.All"]! },
  { ...MICROSOFT_APIS.mde, permission: "Alert.Read.All", description: DESCRIPTIONS["Alert.Read.All"]! },
  { ...MICROSOFT_APIS.graph, permission: "SecurityIncident.Read.All", description: DESCRIPTIONS["SecurityIncident.Read.All"]! },
  { ...MICROSOFT_APIS.graph, permission: "SecurityAlert.Read.All", description: DESCRIPTIONS["SecurityAlert.Read.All"]! },
];

const apiNames = Object.keys(MICROSOFT_APIS) as [keyof typeof MICROSOFT_APIS, ...(keyof typeof MICROSOFT_APIS)[]];

/**
 * REQUIRED_PERMISSIONS overrides the defaults: comma-separated `api:Permission` pairs,
 * e.g. `defenderXdr:Incident.ReadWrite.All,mde:Alert.Read.All,graph:SecurityIncident.Read.All`.
 */
export const requiredPermissionsSchema = z
  .string()
  .trim()
  .transform((raw, ctx): RequiredPermission[] => {
    const out: RequiredPermission[] = [];
    for (const item of raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [apiKey, permission] = item.split(":");
      const parsedApi = z.enum(apiNames).safeParse(apiKey);
      if (!parsedApi.success || !permission || !/^[A-Za-z]+(\.[A-Za-z]+)+$/.test(permission)) {
        ctx.addIssue({
          code: "custom",
          message: `"${item}" is not api:Permission with api one of ${apiNames.join(", ")} (e.g. defenderXdr:Incident.Read.All)`,
        });
        return z.NEVER;
      }
      const api = MICROSOFT_APIS[parsedApi.data];
      out.push({ ...api, permission, description: DESCRIPTIONS[permission] ?? `Application permission ${permission}.` });
    }
    if (out.length === 0) {
      ctx.addIssue({ code: "custom", message: "lists no permission" });
      return z.NEVER;
    }
    return out;
  });

/** The role value a token carries, qualified by resource so two APIs' same-named roles stay apart. */
export function qualifiedRole(resource: string, role: string): string {
  return `${resource}/${role}`;
}

export function requiredResources(perms: RequiredPermission[]): string[] {
  return [...new Set(perms.map((p) => p.resource))];
}

/** Replaces the roles of `resources` in `current` with `fresh`: a token speaks for its own resource only. */
export function mergeRoles(current: readonly string[], resources: readonly string[], fresh: readonly string[]): string[] {
  const kept = current.filter((r) => !resources.some((res) => r.startsWith(`${res}/`)));
  return [...new Set([...kept, ...fresh])].sort();
}
