import {
  graphAlertSchema,
  graphIncidentSchema,
  graphListSchema,
  mdeAlertListSchema,
  parseMicrosoftPayload,
  xdrIncidentListSchema,
  xdrIncidentSchema,
  type GraphAlert,
  type GraphEvidence,
  type GraphIncident,
  type MdeAlert,
  type XdrIncident,
  type XdrIncidentAlert,
} from "../microsoft/schemas/index.ts";
import { MicrosoftApiError, type MicrosoftApiClient, type TenantTarget } from "../microsoft/api-client.ts";
import type { MicrosoftApi } from "../microsoft/hosts.ts";
import {
  camelEnum,
  defenderPortalIncidentUrl,
  scalarFields,
  type AlertDetail,
  type DataSource,
  type EvidenceItem,
  type Feed,
  type IncidentDetail,
  type NormalizedAlert,
  type NormalizedIncident,
} from "./model.ts";
import { boundAlert, boundIncident } from "../shared/caps.ts";
import {
  canonicalAlertStatus as alertStatus,
  canonicalClassification as classification,
  canonicalDetermination as determination,
  canonicalIncidentStatus as incidentStatus,
  canonicalSeverity as severity,
  mergeTags,
} from "../shared/canonical.ts";

/**
 * The two ways to read a tenant's incidents and alerts: the Defender APIs (XDR incidents with their alerts; MDE alerts
 * with evidence) or Microsoft Graph security v1.0 (incidents with $expand=alerts; alerts_v2). Both map onto the same
 * normalized rows.
 */
export interface FeedFetcher {
  api: MicrosoftApi;
  apiName: string;
  /** The token must carry one of these roles. */
  anyOfRoles: string[];
  /**
   * Reads every page changed since `since` (all with null), handing each to `onPage` as it arrives; the next page is
   * asked for once `onPage` resolves (it may resolve before storing is done, to overlap the two).
   */
  fetch(client: MicrosoftApiClient, target: TenantTarget, since: Date | null, onPage: (page: FeedPage) => Promise<void>): Promise<void>;
}

/** One page of Microsoft's answer, normalized: a feed's page holds incidents (with their alerts) or alerts. */
export interface FeedPage {
  incidents: NormalizedIncident[];
  alerts: NormalizedAlert[];
}

// OData wants the instant without quotes; Microsoft's examples use 7 fractional digits, milliseconds parse too.
const odataTime = (d: Date) => d.toISOString();
const date = (s: string | null | undefined, fallback: Date) => (s ? new Date(s) : fallback);

// ---------------------------------------------------------------------------------------------- Defender XDR + MDE

const XDR_PAGE = 100; // documented $top maximum for /api/incidents
const MDE_PAGE = 10_000; // documented $top maximum for /api/alerts

function xdrEntityEvidence(e: Record<string, unknown>): EvidenceItem {
  const type = typeof e.entityType === "string" ? camelEnum(e.entityType)! : "other";
  return {
    type,
    verdict: typeof e.verdict === "string" ? e.verdict : null,
    remediationStatus: typeof e.remediationStatus === "string" ? e.remediationStatus : null,
    fields: scalarFields(e, ["entityType", "verdict", "remediationStatus"]),
  };
}

function xdrAlert(a: XdrIncidentAlert, incidentId: string, fallback: Date): NormalizedAlert {
  const created = date(a.creationTime, fallback);
  const detail: AlertDetail = {
    description: a.description ?? null,
    firstActivity: a.firstActivity ?? null,
    lastActivity: a.lastActivity ?? null,
    mitreTechniques: a.mitreTechniques ?? [],
    threatFamilyName: a.threatFamilyName ?? null,
    devices: (a.devices ?? []).map((d) => ({
      id: d.mdatpDeviceId ?? null,
      name: d.deviceDnsName ?? null,
      osPlatform: d.osPlatform ?? null,
      healthStatus: d.healthStatus ?? null,
      riskScore: d.riskScore ?? null,
    })),
    evidence: (a.entities ?? []).map((e) => xdrEntityEvidence(e as Record<string, unknown>)),
    webUrl: null,
  };
  return boundAlert({
    sourceId: a.alertId,
    incidentSourceId: incidentId,
    title: a.title ?? "(untitled alert)",
    severity: severity(a.severity),
    status: alertStatus(a.status),
    category: a.category ?? null,
    serviceSource: a.serviceSource ?? null,
    detectionSource: a.detectionSource ?? null,
    classification: classification(a.classification),
    determination: determination(a.determination),
    assignedTo: a.assignedTo ?? null,
    createdTime: created,
    lastUpdateTime: date(a.lastUpdatedTime, created),
    payload: detail,
  });
}

export function normalizeXdrIncident(i: XdrIncident, tenantId: string): NormalizedIncident {
  const id = String(i.incidentId);
  const created = new Date(i.createdTime);
  const detail: IncidentDetail = {
    description: null,
    comments: (i.comments ?? []).map((c) => ({ comment: c.comment ?? "", createdBy: c.createdBy ?? null, createdTime: c.createdTime ?? null })),
    redirectIncidentId: i.redirectIncidentId != null ? String(i.redirectIncidentId) : null,
  };
  const alerts = (i.alerts ?? []).map((a) => xdrAlert(a, id, created));
  return boundIncident({
    sourceId: id,
    title: i.incidentName ?? `Incident ${id}`,
    severity: severity(i.severity),
    status: incidentStatus(i.status),
    classification: classification(i.classification),
    determination: determination(i.determination),
    assignedTo: i.assignedTo ?? null,
    tags: mergeTags(i.tags),
    alertCount: alerts.length,
    createdTime: created,
    lastUpdateTime: new Date(i.lastUpdateTime),
    webUrl: defenderPortalIncidentUrl(id, tenantId),
    payload: detail,
    alerts,
  });
}

function mdeEvidence(e: Record<string, unknown>): EvidenceItem {
  const type = typeof e.entityType === "string" ? camelEnum(e.entityType)! : "other";
  return {
    type,
    verdict: typeof e.verdict === "string" ? e.verdict : null,
    remediationStatus: typeof e.remediationStatus === "string" ? e.remediationStatus : null,
    fields: scalarFields(e, ["entityType", "verdict", "remediationStatus", "evidenceCreationTime"]),
  };
}

export function normalizeMdeAlert(a: MdeAlert): NormalizedAlert {
  const created = date(a.alertCreationTime ?? a.lastUpdateTime, new Date(0));
  const detail: AlertDetail = {
    description: a.description ?? null,
    firstActivity: a.firstEventTime ?? null,
    lastActivity: a.lastEventTime ?? null,
    mitreTechniques: a.mitreTechniques ?? [],
    threatFamilyName: a.threatFamilyName ?? null,
    devices:
      a.machineId || a.computerDnsName
        ? [{ id: a.machineId ?? null, name: a.computerDnsName ?? null, osPlatform: null, healthStatus: null, riskScore: null }]
        : [],
    evidence: (a.evidence ?? []).map((e) => mdeEvidence(e as Record<string, unknown>)),
    webUrl: null,
  };
  return boundAlert({
    sourceId: a.id,
    incidentSourceId: a.incidentId != null ? String(a.incidentId) : null,
    title: a.title ?? "(untitled alert)",
    severity: severity(a.severity),
    status: alertStatus(a.status),
    category: a.category ?? null,
    serviceSource: "microsoftDefenderForEndpoint",
    detectionSource: a.detectionSource ?? null,
    classification: classification(a.classification),
    determination: determination(a.determination),
    assignedTo: a.assignedTo ?? null,
    createdTime: created,
    lastUpdateTime: date(a.lastUpdateTime, created),
    payload: detail,
  });
}

const defenderIncidents: FeedFetcher = {
  api: "xdr",
  apiName: "Microsoft Threat Protection (Defender XDR incidents API)",
  anyOfRoles: ["Incident.Read.All", "Incident.ReadWrite.All"],
  async fetch(client, target, since, onPage) {
    // No @odata.nextLink is documented for this API: page with $skip until a short page.
    for (let skip = 0; ; skip += XDR_PAGE) {
      const q = new URLSearchParams({ $top: String(XDR_PAGE), $skip: String(skip) });
      if (since) q.set("$filter", `lastUpdateTime ge ${odataTime(since)}`);
      const page = parseMicrosoftPayload(xdrIncidentListSchema, await client.getJson("xdr", target, `/api/incidents?${q}`), "Defender XDR incident list");
      await onPage({ incidents: page.value.map((i) => normalizeXdrIncident(i, target.tenantId)), alerts: [] });
      if (page.value.length < XDR_PAGE) break;
    }
  },
};

const defenderAlerts: FeedFetcher = {
  api: "mde",
  apiName: "WindowsDefenderATP (Defender for Endpoint alerts API)",
  anyOfRoles: ["Alert.Read.All", "Alert.ReadWrite.All"],
  async fetch(client, target, since, onPage) {
    for (let skip = 0; ; skip += MDE_PAGE) {
      const q = new URLSearchParams({ $top: String(MDE_PAGE), $skip: String(skip), $expand: "evidence" });
      if (since) q.set("$filter", `lastUpdateTime ge ${odataTime(since)}`);
      const page = parseMicrosoftPayload(mdeAlertListSchema, await client.getJson("mde", target, `/api/alerts?${q}`), "Defender for Endpoint alert list");
      await onPage({ incidents: [], alerts: page.value.map(normalizeMdeAlert) });
      if (page.value.length < MDE_PAGE) break;
    }
  },
};

// ---------------------------------------------------------------------------------------------- Microsoft Graph

const GRAPH_EVIDENCE_TYPES: Record<string, string> = {
  deviceEvidence: "device",
  fileEvidence: "file",
  processEvidence: "process",
  ipEvidence: "ip",
  urlEvidence: "url",
  userEvidence: "user",
  mailboxEvidence: "mailbox",
  analyzedMessageEvidence: "mailMessage",
  registryKeyEvidence: "registry",
  registryValueEvidence: "registry",
  cloudApplicationEvidence: "cloudApplication",
  securityGroupEvidence: "securityGroup",
};

/** Flattens Graph's nested evidence (fileDetails, imageFile, userAccount, ...) into label/value pairs. */
function flatten(obj: Record<string, unknown>, prefix = "", out: Record<string, string> = {}, depth = 0): Record<string, string> {
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith("@odata") || v === null || v === undefined || v === "") continue;
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[key] = String(v);
    else if (Array.isArray(v)) {
      const scalars = v.filter((x) => typeof x === "string" || typeof x === "number");
      if (scalars.length) out[key] = scalars.join(", ");
    } else if (typeof v === "object" && depth < 3) flatten(v as Record<string, unknown>, key, out, depth + 1);
  }
  return out;
}

function graphEvidence(e: GraphEvidence): EvidenceItem {
  const raw = e as Record<string, unknown>;
  const odataType = typeof raw["@odata.type"] === "string" ? (raw["@odata.type"] as string).split(".").pop()! : "other";
  return {
    type: GRAPH_EVIDENCE_TYPES[odataType] ?? odataType.replace(/Evidence$/, ""),
    verdict: typeof raw.verdict === "string" ? raw.verdict : null,
    remediationStatus: typeof raw.remediationStatus === "string" ? raw.remediationStatus : null,
    fields: flatten(raw, "", {}, 0),
  };
}

export function normalizeGraphAlert(a: GraphAlert): NormalizedAlert {
  const created = new Date(a.createdDateTime);
  const devices = (a.evidence ?? [])
    .filter((e) => String((e as Record<string, unknown>)["@odata.type"] ?? "").endsWith("deviceEvidence"))
    .map((e) => {
      const d = e as Record<string, unknown>;
      const str = (k: string) => (typeof d[k] === "string" ? (d[k] as string) : null);
      return {
        id: str("mdeDeviceId"),
        name: str("deviceDnsName"),
        osPlatform: str("osPlatform"),
        healthStatus: str("healthStatus"),
        riskScore: str("riskScore"),
      };
    });
  const detail: AlertDetail = {
    description: a.description ?? null,
    firstActivity: a.firstActivityDateTime ?? null,
    lastActivity: a.lastActivityDateTime ?? null,
    mitreTechniques: a.mitreTechniques ?? [],
    threatFamilyName: a.threatFamilyName ?? null,
    devices,
    evidence: (a.evidence ?? []).map(graphEvidence),
    webUrl: a.alertWebUrl ?? null,
  };
  return boundAlert({
    sourceId: a.id,
    incidentSourceId: a.incidentId ?? null,
    title: a.title ?? "(untitled alert)",
    severity: severity(a.severity),
    status: alertStatus(a.status),
    category: a.category ?? null,
    serviceSource: a.serviceSource ?? null,
    detectionSource: a.detectionSource ?? null,
    classification: classification(a.classification),
    determination: determination(a.determination),
    assignedTo: a.assignedTo ?? null,
    createdTime: created,
    lastUpdateTime: date(a.lastUpdateDateTime, created),
    payload: detail,
  });
}

export function normalizeGraphIncident(i: GraphIncident): NormalizedIncident {
  const created = new Date(i.createdDateTime);
  const alerts = (i.alerts ?? []).map(normalizeGraphAlert).map((a) => ({ ...a, incidentSourceId: a.incidentSourceId ?? i.id }));
  const detail: IncidentDetail = {
    description: i.description ?? null,
    comments: (i.comments ?? []).map((c) => {
      const x = c as Record<string, unknown>;
      const str = (k: string) => (typeof x[k] === "string" ? (x[k] as string) : null);
      return {
        comment: str("comment") ?? "",
        createdBy: str("createdByDisplayName") ?? str("createdBy"),
        createdTime: str("createdDateTime") ?? str("createdTime"),
      };
    }),
    redirectIncidentId: i.redirectIncidentId ?? null,
  };
  return boundIncident({
    sourceId: i.id,
    title: i.displayName ?? `Incident ${i.id}`,
    severity: severity(i.severity),
    status: incidentStatus(i.status),
    classification: classification(i.classification),
    determination: determination(i.determination),
    assignedTo: i.assignedTo ?? null,
    // security-list-incidents.md Example 2 sends `tags` where the resource page says `customTags`: keep both.
    tags: mergeTags(i.customTags, i.tags, i.systemTags),
    alertCount: alerts.length,
    createdTime: created,
    lastUpdateTime: date(i.lastUpdateDateTime, created),
    webUrl: i.incidentWebUrl ?? null,
    payload: detail,
    alerts,
  });
}

const GRAPH_PAGE = 50;

async function graphPages<T>(
  client: MicrosoftApiClient,
  target: TenantTarget,
  firstPath: string,
  item: import("zod").ZodType<T>,
  what: string,
  onPage: (items: T[]) => Promise<void>,
) {
  let next: string | undefined = firstPath;
  const schema = graphListSchema(item);
  while (next) {
    const raw: unknown = await client.getJson("graph", target, next);
    const page: { value: unknown[]; "@odata.nextLink"?: string | null } = parseMicrosoftPayload(schema, raw, what) as never;
    await onPage(page.value as T[]);
    next = page["@odata.nextLink"] ?? undefined;
  }
}

const graphIncidents: FeedFetcher = {
  api: "graph",
  apiName: "Microsoft Graph (security incidents)",
  anyOfRoles: ["SecurityIncident.Read.All", "SecurityIncident.ReadWrite.All"],
  async fetch(client, target, since, onPage) {
    const q = new URLSearchParams({ $top: String(GRAPH_PAGE), $expand: "alerts" });
    if (since) q.set("$filter", `lastUpdateDateTime ge ${odataTime(since)}`);
    await graphPages(client, target, `/v1.0/security/incidents?${q}`, graphIncidentSchema, "Graph security incident list", (items) =>
      onPage({ incidents: items.map(normalizeGraphIncident), alerts: [] }),
    );
  },
};

const graphAlerts: FeedFetcher = {
  api: "graph",
  apiName: "Microsoft Graph (security alerts_v2)",
  anyOfRoles: ["SecurityAlert.Read.All", "SecurityAlert.ReadWrite.All"],
  async fetch(client, target, since, onPage) {
    const q = new URLSearchParams({ $top: String(GRAPH_PAGE) });
    if (since) q.set("$filter", `lastUpdateDateTime ge ${odataTime(since)}`);
    await graphPages(client, target, `/v1.0/security/alerts_v2?${q}`, graphAlertSchema, "Graph security alert list", (items) =>
      onPage({ incidents: [], alerts: items.map(normalizeGraphAlert) }),
    );
  },
};

export function feedFetcher(source: DataSource, feed: Feed): FeedFetcher {
  if (source === "graph") return feed === "incidents" ? graphIncidents : graphAlerts;
  return feed === "incidents" ? defenderIncidents : defenderAlerts;
}

/** One incident, fresh from Microsoft (for the detail page); null when Microsoft says it does not exist. */
export async function fetchIncident(
  client: MicrosoftApiClient,
  target: TenantTarget,
  source: DataSource,
  sourceId: string,
): Promise<NormalizedIncident | null> {
  try {
    if (source === "graph") {
      const raw = await client.getJson("graph", target, `/v1.0/security/incidents/${encodeURIComponent(sourceId)}?$expand=alerts`);
      return normalizeGraphIncident(parseMicrosoftPayload(graphIncidentSchema, raw, "Graph security incident"));
    }
    const raw = await client.getJson("xdr", target, `/api/incidents/${encodeURIComponent(sourceId)}`);
    return normalizeXdrIncident(parseMicrosoftPayload(xdrIncidentSchema, raw, "Defender XDR incident"), target.tenantId);
  } catch (err) {
    if (err instanceof MicrosoftApiError && err.kind === "not_found") return null;
    throw err;
  }
}
