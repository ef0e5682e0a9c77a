// Response shapes of the four surfaces, rendered from the shared model so one incident reads the same everywhere.
import type { AlertView, Classification, Device, Entity, IncidentView, Severity } from "./model.ts";
import type { Spelling } from "./service.ts";

/** "2020-09-06T14:46:57.0733333Z": Defender and Graph send seven fractional digits. */
export function iso7(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "0000Z");
}
const isoN = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : iso7(ms));

// ---------------------------------------------------------------------------------------------
// Defender XDR (defender-docs defender-xdr/api-list-incidents.md)
// ---------------------------------------------------------------------------------------------

// defender-xdr/api-list-incidents.md "Entity Format" + response example: every field present, null when unused.
export function xdrEntity(e: Entity): Record<string, unknown> {
  const is = (...types: string[]) => types.includes(e.entityType);
  return {
    entityType: e.entityType,
    sha1: is("File") ? (e.sha1 ?? null) : null,
    sha256: is("File") ? (e.sha256 ?? null) : null,
    fileName: is("File") ? (e.fileName ?? null) : null,
    filePath: is("File") ? (e.filePath ?? null) : null,
    processId: is("Process") ? (e.processId ?? null) : null,
    processCommandLine: is("Process") ? (e.processCommandLine ?? null) : null,
    processCreationTime: is("Process") ? isoN(e.processCreationMs) : null,
    parentProcessId: is("Process") ? (e.parentProcessId ?? null) : null,
    parentProcessCreationTime: is("Process") ? isoN(e.parentProcessCreationMs) : null,
    ipAddress: is("Ip") ? (e.ipAddress ?? null) : null,
    url: is("Url") ? (e.url ?? null) : null,
    accountName: is("User") ? (e.accountName ?? null) : null,
    domainName: is("User") ? (e.domainName ?? null) : null,
    userSid: is("User") ? (e.userSid ?? null) : null,
    aadUserId: is("User") ? (e.aadUserId ?? null) : null,
    userPrincipalName: is("User", "MailBox", "MailMessage") ? (e.userPrincipalName ?? null) : null,
    mailboxDisplayName: is("MailBox") ? (e.mailboxDisplayName ?? null) : null,
    mailboxAddress: is("MailBox") ? (e.mailboxAddress ?? null) : null,
    clusterBy: is("MailCluster") ? (e.clusterBy ?? null) : null,
    sender: is("MailMessage") ? (e.sender ?? null) : null,
    recipient: is("MailMessage") ? (e.recipient ?? null) : null,
    subject: is("MailMessage") ? (e.subject ?? null) : null,
    deliveryAction: is("MailMessage") ? (e.deliveryAction ?? null) : null,
    securityGroupId: is("SecurityGroup") ? (e.securityGroupId ?? null) : null,
    securityGroupName: is("SecurityGroup") ? (e.securityGroupName ?? null) : null,
    registryHive: is("Registry") ? (e.registryHive ?? null) : null,
    registryKey: is("Registry") ? (e.registryKey ?? null) : null,
    registryValueType: is("Registry") ? (e.registryValueType ?? null) : null,
    registryValue: is("Registry") ? (e.registryValue ?? null) : null,
    deviceId: e.deviceId ?? null,
  };
}

// defender-xdr/api-list-incidents.md response example (device of the 'Mimikatz' alert).
export function xdrDevice(d: Device): Record<string, unknown> {
  return {
    mdatpDeviceId: d.mdatpDeviceId,
    aadDeviceId: d.aadDeviceId,
    deviceDnsName: d.deviceDnsName,
    osPlatform: d.osPlatform,
    version: d.version,
    osProcessor: d.osProcessor,
    osBuild: d.osBuild,
    healthStatus: d.healthStatus,
    riskScore: d.riskScore,
    rbacGroupName: d.rbacGroupName,
    rbacGroupId: d.rbacGroupId,
    firstSeen: iso7(d.firstSeenMs),
  };
}

const XDR_SERVICE = { MDE: "MicrosoftDefenderATP", MDO: "OfficeATP", MCAS: "MicrosoftCloudAppSecurity", MDI: "AzureAdvancedThreatProtection" } as const;

// defender-xdr/api-list-incidents.md "Alerts metadata" + example. UNCONFIRMED: serviceSource of MDI alerts
// ("AzureAdvancedThreatProtection"); the docs only show MicrosoftCloudAppSecurity, MicrosoftDefenderATP and OfficeATP.
export function xdrAlert(a: AlertView): Record<string, unknown> {
  return {
    alertId: a.alertId,
    incidentId: a.incidentId,
    serviceSource: XDR_SERVICE[a.template.service],
    creationTime: iso7(a.createdMs),
    lastUpdatedTime: iso7(a.lastUpdatedMs),
    resolvedTime: isoN(a.resolvedMs),
    firstActivity: iso7(a.firstActivityMs),
    lastActivity: iso7(a.lastActivityMs),
    title: a.title,
    description: a.description,
    category: a.template.category,
    status: a.status,
    severity: a.severity,
    investigationId: a.investigationId,
    investigationState: a.investigationState,
    classification: a.classification,
    determination: a.determination,
    detectionSource: a.template.detectionSource,
    assignedTo: a.assignedTo,
    actorName: a.actorName,
    threatFamilyName: a.threatFamilyName,
    mitreTechniques: [...a.template.mitre],
    devices: a.devices.map(xdrDevice),
    entities: a.entities.map(xdrEntity),
  };
}

// defender-xdr/api-list-incidents.md "Incident metadata" + response example.
export function xdrIncident(v: IncidentView): Record<string, unknown> {
  const r = v.rec;
  return {
    incidentId: r.id,
    redirectIncidentId: r.redirectIncidentId,
    incidentName: v.name,
    createdTime: iso7(r.createdMs),
    lastUpdateTime: iso7(r.lastUpdateMs),
    assignedTo: r.assignedTo,
    classification: r.classification,
    determination: r.determination,
    status: r.status,
    severity: v.severity,
    tags: [...r.tags],
    comments: r.comments.map((c) => ({ comment: c.comment, createdBy: c.createdBy, createdTime: iso7(c.createdMs) })),
    alerts: v.alerts.map(xdrAlert),
  };
}

// ---------------------------------------------------------------------------------------------
// Defender for Endpoint (defender-docs defender-endpoint/api/alerts.md, get-alerts.md)
// ---------------------------------------------------------------------------------------------

// defender-endpoint/api/alerts.md: determination spellings differ from the XDR incident API.
const MDE_DETERMINATION: Record<string, string> = {
  CompromisedAccount: "CompromisedUser",
  ConfirmedActivity: "ConfirmedUserActivity",
  NoEnoughDataToValidate: "InsufficientData",
  NotAvailable: "",
};

// defender-endpoint/api/get-alerts.md Example 2 (evidence item).
export function mdeEvidence(e: Entity): Record<string, unknown> {
  const is = (...types: string[]) => types.includes(e.entityType);
  return {
    entityType: e.entityType,
    evidenceCreationTime: iso7(e.evidenceCreationMs),
    sha1: is("File", "Process") ? (e.sha1 ?? null) : null,
    sha256: is("File", "Process") ? (e.sha256 ?? null) : null,
    fileName: is("File", "Process") ? (e.fileName ?? null) : null,
    filePath: is("File", "Process") ? (e.filePath ?? null) : null,
    processId: is("Process") ? (e.processId ?? null) : null,
    processCommandLine: is("Process") ? (e.processCommandLine ?? null) : null,
    processCreationTime: is("Process") ? isoN(e.processCreationMs) : null,
    parentProcessId: is("Process") ? (e.parentProcessId ?? null) : null,
    parentProcessCreationTime: is("Process") ? isoN(e.parentProcessCreationMs) : null,
    parentProcessFileName: is("Process") ? (e.parentProcessFileName ?? null) : null,
    parentProcessFilePath: is("Process") ? (e.parentProcessFilePath ?? null) : null,
    ipAddress: is("Ip") ? (e.ipAddress ?? null) : null,
    url: is("Url") ? (e.url ?? null) : null,
    registryKey: is("Registry") ? (e.registryKey ?? null) : null,
    registryHive: is("Registry") ? (e.registryHive ?? null) : null,
    registryValueType: is("Registry") ? (e.registryValueType ?? null) : null,
    registryValue: is("Registry") ? (e.registryValue ?? null) : null,
    accountName: is("User") ? (e.accountName ?? null) : null,
    domainName: is("User") ? (e.domainName ?? null) : null,
    userSid: is("User") ? (e.userSid ?? null) : null,
    aadUserId: is("User") ? (e.aadUserId ?? null) : null,
    userPrincipalName: is("User") ? (e.userPrincipalName ?? null) : null,
    detectionStatus: is("File", "Process") ? (e.detectionStatus ?? null) : null,
  };
}

/** Entity types the MDE alert evidence carries (get-alerts.md shows User, Process, File; alerts.md lists no others). */
const MDE_EVIDENCE_TYPES = new Set(["User", "Process", "File", "Ip", "Url", "Registry"]);

// defender-endpoint/api/alerts.md "Response example for getting single alert". `evidence` is [] unless
// `$expand=evidence` (get-alerts.md Example 1 vs Example 2). Alert comments: UNCONFIRMED whether incident comments
// appear on MDE alerts; they do not here (always []).
export function mdeAlert(a: AlertView, tenantId: string, withEvidence: boolean): Record<string, unknown> {
  const device = a.devices[0];
  const det = a.determination === null ? null : (MDE_DETERMINATION[a.determination] ?? a.determination) || null;
  return {
    id: a.alertId,
    incidentId: a.incidentId,
    investigationId: a.investigationId,
    assignedTo: a.assignedTo,
    severity: a.severity,
    status: a.status,
    classification: a.classification === "Unknown" ? null : a.classification,
    determination: det,
    investigationState: a.investigationState,
    detectionSource: a.template.detectionSource,
    detectorId: a.detectorId,
    category: a.template.category,
    threatFamilyName: a.threatFamilyName,
    title: a.title,
    description: a.description,
    alertCreationTime: iso7(a.createdMs),
    firstEventTime: iso7(a.firstActivityMs),
    lastEventTime: iso7(a.lastActivityMs),
    lastUpdateTime: iso7(a.lastUpdatedMs),
    resolvedTime: isoN(a.resolvedMs),
    machineId: device?.mdatpDeviceId ?? null,
    computerDnsName: device?.deviceDnsName ?? null,
    rbacGroupName: device?.rbacGroupName ?? null,
    aadTenantId: tenantId,
    threatName: a.threatName,
    mitreTechniques: [...a.template.mitre],
    relatedUser: { userName: a.user.accountName, domainName: a.user.domainName },
    comments: [],
    evidence: withEvidence ? a.entities.filter((e) => MDE_EVIDENCE_TYPES.has(e.entityType)).map(mdeEvidence) : [],
  };
}

// ---------------------------------------------------------------------------------------------
// Microsoft Graph security v1.0 (microsoft-graph-docs-contrib api-reference/v1.0/resources/security-*.md)
// ---------------------------------------------------------------------------------------------

const camel = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
// resources/security-alert.md alertSeverity: "unknown" replaces XDR's UnSpecified.
export const graphSeverity = (s: Severity) => (s === "UnSpecified" ? "unknown" : camel(s));
export const graphClassification = (c: Classification | null) => (c === null ? "unknown" : camel(c));
// resources/security-incident.md alertDetermination (the property list, which matches the $metadata; the table on the
// alert page spells some members differently: compromisedAccount/notMalicious/notEnoughDataToValidate/confirmedActivity).
const GRAPH_DETERMINATION: Record<string, string> = {
  NotAvailable: "unknown",
  CompromisedAccount: "compromisedUser",
  ConfirmedActivity: "confirmedUserActivity",
  NoEnoughDataToValidate: "insufficientData",
  Clean: "clean",
};
export const graphDetermination = (d: string | null) => (d === null ? "unknown" : (GRAPH_DETERMINATION[d] ?? camel(d)));
export const graphStatus = (s: string) => camel(s);

const GRAPH_SERVICE = {
  MDE: "microsoftDefenderForEndpoint",
  MDO: "microsoftDefenderForOffice365",
  MCAS: "microsoftDefenderForCloudApps",
  MDI: "microsoftDefenderForIdentity",
} as const;
export const graphServiceSource = (a: AlertView) => GRAPH_SERVICE[a.template.service];
// resources/security-alert.md detectionSource values.
const GRAPH_DETECTION: Record<string, string> = {
  WindowsDefenderAtp: "microsoftDefenderForEndpoint",
  WindowsDefenderAv: "antivirus",
  CustomerTI: "customTi",
  OfficeATP: "microsoftDefenderForOffice365",
  MCAS: "cloudAppSecurity",
  AzureATP: "microsoftDefenderForIdentity",
};

const portal = (path: string, tenantId: string) => `https://security.microsoft.com/${path}?tid=${tenantId}`;

function evidenceBase(
  type: string,
  e: { evidenceCreationMs: number },
  verdict: string,
  roles: string[],
  detailedRoles: string[] = [],
): Record<string, unknown> {
  return {
    "@odata.type": `#microsoft.graph.security.${type}`,
    createdDateTime: iso7(e.evidenceCreationMs),
    verdict,
    remediationStatus: "none",
    remediationStatusDetails: null,
    roles,
    detailedRoles,
    tags: [],
  };
}

function fileDetails(e: Entity): Record<string, unknown> {
  return {
    sha1: e.sha1 ?? null,
    sha256: e.sha256 ?? null,
    fileName: e.fileName ?? null,
    filePath: e.filePath ?? null,
    fileSize: e.fileSize ?? null,
    filePublisher: null,
    signer: null,
    issuer: null,
  };
}

// resources/security-useraccount.md
function userAccount(e: Entity): Record<string, unknown> {
  return {
    accountName: e.accountName ?? null,
    azureAdUserId: e.aadUserId ?? null,
    displayName: e.displayName ?? null,
    domainName: e.domainName ?? null,
    userPrincipalName: e.userPrincipalName ?? null,
    userSid: e.userSid ?? null,
  };
}

const detection = (s: string | null | undefined) => (s ? camel(s) : null);

/**
 * An alert's Graph evidence per verdict, built once: everything in it but the verdict is fixed when the alert is
 * created (its entities are built once too, model.ts), and a bench sync renders every alert two or three times.
 * Keyed by the entities array, so it goes when model.ts's bounded cache lets that go. Nothing writes to a rendered
 * response, so the arrays are shared.
 */
const graphEvidenceOf = new WeakMap<readonly Entity[], Map<string, Record<string, unknown>[]>>();

/** One evidence item per entity (plus one deviceEvidence per device), typed by `@odata.type`. */
export function graphEvidence(a: AlertView): Record<string, unknown>[] {
  const verdict = a.status === "Resolved" && a.classification === "FalsePositive" ? "noThreatsFound" : a.severity === "High" ? "malicious" : "suspicious";
  const key = `${verdict}|${a.user.accountName}|${a.devices.map((d) => `${d.mdatpDeviceId} ${d.deviceDnsName}`).join("|")}`;
  let byKey = graphEvidenceOf.get(a.entities);
  if (!byKey) graphEvidenceOf.set(a.entities, (byKey = new Map()));
  let evidence = byKey.get(key);
  if (!evidence) byKey.set(key, (evidence = buildGraphEvidence(a, verdict)));
  return evidence;
}

function buildGraphEvidence(a: AlertView, verdict: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  // resources/security-deviceevidence.md, shape from the list-alerts_v2 example.
  for (const d of a.devices) {
    out.push({
      ...evidenceBase("deviceEvidence", { evidenceCreationMs: a.createdMs }, verdict, ["compromised"], ["Main device"]),
      firstSeenDateTime: iso7(d.firstSeenMs),
      mdeDeviceId: d.mdatpDeviceId,
      azureAdDeviceId: d.aadDeviceId,
      deviceDnsName: d.deviceDnsName,
      osPlatform: d.osPlatform,
      osBuild: d.osBuild,
      version: d.version,
      healthStatus: camel(d.healthStatus),
      riskScore: camel(d.riskScore),
      rbacGroupId: d.rbacGroupId,
      rbacGroupName: d.rbacGroupName,
      onboardingStatus: "onboarded",
      defenderAvStatus: "updated",
      ipInterfaces: [d.ipAddress],
      loggedOnUsers: [{ accountName: a.user.accountName, domainName: a.user.domainName }],
      vmMetadata: null,
    });
  }
  for (const e of a.entities) {
    switch (e.entityType) {
      case "File": // resources/security-fileevidence.md
        out.push({
          ...evidenceBase("fileEvidence", e, verdict, []),
          detectionStatus: detection(e.detectionStatus),
          mdeDeviceId: e.deviceId ?? null,
          fileDetails: fileDetails(e),
        });
        break;
      case "Process": // resources/security-processevidence.md
        out.push({
          ...evidenceBase("processEvidence", e, verdict, []),
          processId: e.processId ?? null,
          parentProcessId: e.parentProcessId ?? null,
          processCommandLine: e.processCommandLine ?? null,
          processCreationDateTime: isoN(e.processCreationMs),
          parentProcessCreationDateTime: isoN(e.parentProcessCreationMs),
          detectionStatus: detection(e.detectionStatus),
          mdeDeviceId: e.deviceId ?? null,
          imageFile: fileDetails(e),
          parentProcessImageFile: {
            ...fileDetails({ entityType: "File", evidenceCreationMs: 0, fileName: e.parentProcessFileName ?? null, filePath: e.parentProcessFilePath ?? null }),
          },
          userAccount: userAccount({ ...e, aadUserId: null, userPrincipalName: null, displayName: null }),
        });
        break;
      case "Ip": // resources/security-ipevidence.md
        out.push({ ...evidenceBase("ipEvidence", e, verdict, ["attacker"]), ipAddress: e.ipAddress ?? null, countryLetterCode: e.countryLetterCode ?? null });
        break;
      case "Url": // resources/security-urlevidence.md
        out.push({ ...evidenceBase("urlEvidence", e, verdict, ["commandAndControl"]), url: e.url ?? null });
        break;
      case "User": // resources/security-userevidence.md
        out.push({ ...evidenceBase("userEvidence", e, verdict, ["compromised"]), userAccount: userAccount(e) });
        break;
      case "MailBox": // resources/security-mailboxevidence.md
        out.push({
          ...evidenceBase("mailboxEvidence", e, verdict, ["destination"]),
          displayName: e.mailboxDisplayName ?? null,
          primaryAddress: e.mailboxAddress ?? null,
          upn: e.userPrincipalName ?? null,
          userAccount: userAccount({ ...e, displayName: e.mailboxDisplayName ?? null }),
        });
        break;
      case "MailMessage": // resources/security-analyzedmessageevidence.md (+ security-emailsender.md)
        out.push({
          ...evidenceBase("analyzedMessageEvidence", e, verdict, []),
          networkMessageId: e.networkMessageId ?? null,
          internetMessageId: e.internetMessageId ?? null,
          subject: e.subject ?? null,
          language: "en",
          senderIp: e.ipAddress ?? null,
          recipientEmailAddress: e.recipient ?? null,
          antiSpamDirection: "inbound",
          deliveryAction: e.deliveryAction ? camel(e.deliveryAction) : null,
          deliveryLocation: e.deliveryAction === "Junked" ? "junkFolder" : e.deliveryAction === "Blocked" ? "quarantine" : "inbox",
          urn: null,
          threats: ["Phish"],
          threatDetectionMethods: ["urlDetonationReputation"],
          urls: e.url ? [e.url] : [],
          urlCount: e.url ? 1 : 0,
          attachmentsCount: 0,
          receivedDateTime: iso7(e.evidenceCreationMs - 60_000),
          p1Sender: { emailAddress: e.sender ?? null, displayName: null, domainName: e.sender?.split("@")[1] ?? null },
          p2Sender: { emailAddress: e.sender ?? null, displayName: null, domainName: e.sender?.split("@")[1] ?? null },
        });
        break;
      case "MailCluster":
        // resources/security-mailclusterevidence.md. UNCONFIRMED: field list recalled, not re-read (clusterBy,
        // clusterByValue, emailCount, networkMessageIds, query, urn).
        out.push({
          ...evidenceBase("mailClusterEvidence", e, verdict, []),
          clusterBy: e.clusterBy ?? null,
          clusterByValue: null,
          emailCount: 1,
          networkMessageIds: [],
          query: null,
          urn: null,
        });
        break;
      case "Registry": // resources/security-registryvalueevidence.md
        out.push({
          ...evidenceBase("registryValueEvidence", e, verdict, ["edited"]),
          mdeDeviceId: e.deviceId ?? null,
          registryKey: e.registryKey ?? null,
          registryHive: e.registryHive ?? null,
          registryValue: e.registryValue ?? null,
          registryValueName: e.registryValueName ?? null,
          registryValueType: e.registryValueType ?? null,
        });
        break;
      case "SecurityGroup":
        // resources/security-securitygroupevidence.md. UNCONFIRMED: fields recalled (securityGroupId, displayName).
        out.push({
          ...evidenceBase("securityGroupEvidence", e, verdict, []),
          securityGroupId: e.securityGroupId ?? null,
          displayName: e.securityGroupName ?? null,
        });
        break;
    }
  }
  return out;
}

// resources/security-alert.md + api/security-list-alerts_v2.md response example.
export function graphAlert(a: AlertView, tenantId: string): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.security.alert",
    id: a.alertId,
    providerAlertId: a.alertId,
    incidentId: String(a.incidentId),
    status: graphStatus(a.status),
    severity: graphSeverity(a.severity),
    classification: graphClassification(a.classification),
    determination: graphDetermination(a.determination),
    serviceSource: graphServiceSource(a),
    detectionSource: GRAPH_DETECTION[a.template.detectionSource] ?? "unknown",
    detectorId: a.detectorId,
    tenantId,
    title: a.title,
    description: a.description,
    recommendedActions: a.template.recommendedActions,
    category: a.template.category,
    assignedTo: a.assignedTo,
    alertWebUrl: portal(`alerts/${encodeURIComponent(a.alertId)}`, tenantId),
    incidentWebUrl: portal(`incidents/${a.incidentId}`, tenantId),
    actorDisplayName: a.actorName,
    threatDisplayName: a.threatName,
    threatFamilyName: a.threatFamilyName,
    mitreTechniques: [...a.template.mitre],
    createdDateTime: iso7(a.createdMs),
    lastUpdateDateTime: iso7(a.lastUpdatedMs),
    resolvedDateTime: isoN(a.resolvedMs),
    firstActivityDateTime: iso7(a.firstActivityMs),
    lastActivityDateTime: iso7(a.lastActivityMs),
    comments: [],
    evidence: graphEvidence(a),
    systemTags: [],
  };
}

// resources/security-incident.md (JSON representation; camelCase enums, customTags). The list example on
// api/security-list-incidents.md mixes PascalCase enums and `tags`: the resource page is followed here (a tenant's
// Spelling, service.ts, serves the examples' spelling on request). Comments use
// resources/security-alertcomment.md (comment, createdByDisplayName, createdDateTime), not the example's createdBy.
export function graphIncident(v: IncidentView, tenantId: string, expandAlerts: boolean): Record<string, unknown> {
  const r = v.rec;
  return {
    "@odata.type": "#microsoft.graph.security.incident",
    id: String(r.id),
    incidentWebUrl: portal(`incidents/${r.id}`, tenantId),
    redirectIncidentId: r.redirectIncidentId === null ? null : String(r.redirectIncidentId),
    tenantId,
    displayName: v.name,
    createdDateTime: iso7(r.createdMs),
    lastUpdateDateTime: iso7(r.lastUpdateMs),
    assignedTo: r.assignedTo,
    classification: graphClassification(r.classification),
    determination: graphDetermination(r.determination),
    status: graphStatus(r.status),
    severity: graphSeverity(v.severity),
    customTags: [...r.tags],
    comments: r.comments.map((c) => ({ comment: c.comment, createdByDisplayName: c.createdBy, createdDateTime: iso7(c.createdMs) })),
    systemTags: [...r.systemTags],
    description: v.description,
    ...(expandAlerts ? { alerts: v.alerts.map((a) => graphAlert(a, tenantId)) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Legacy SIEM (windows-itpro-docs .../microsoft-defender-atp/pull-alerts-using-rest-api.md response example)
// ---------------------------------------------------------------------------------------------

/** One flat PascalCase detection per MDE alert; absent values are "" as in the docs example. */
export function siemDetection(a: AlertView, lastProcessedMs: number): Record<string, unknown> {
  const d = a.devices[0];
  const file = a.entities.find((e) => e.entityType === "File");
  const proc = a.entities.find((e) => e.entityType === "Process");
  const ip = a.entities.find((e) => e.entityType === "Ip");
  const url = a.entities.find((e) => e.entityType === "Url");
  const id = a.alertId;
  return {
    AlertTime: iso7(a.createdMs),
    ComputerDnsName: d?.deviceDnsName ?? "",
    AlertTitle: a.title,
    Category: a.template.category,
    Severity: a.severity,
    AlertId: id,
    Actor: a.actorName ?? "",
    LinkToWDATP: `https://securitycenter.windows.com/alert/${id}`,
    IocName: "",
    IocValue: "",
    CreatorIocName: "",
    CreatorIocValue: "",
    Sha1: file?.sha1 ?? "",
    FileName: file?.fileName ?? "",
    FilePath: file?.filePath ?? "",
    IpAddress: ip?.ipAddress ?? "",
    Url: url?.url ?? "",
    IoaDefinitionId: a.detectorId,
    UserName: a.user.accountName,
    AlertPart: 0,
    FullId: `${id}:${Buffer.from(`${id}|0`).toString("base64")}`,
    LastProcessedTimeUtc: iso7(lastProcessedMs),
    ThreatCategory: a.threatFamilyName ? "HackTool" : "",
    ThreatFamily: a.threatFamilyName ?? "",
    ThreatName: a.threatName ?? "",
    RemediationAction: "",
    RemediationIsSuccess: null,
    Source: a.template.detectionSource === "WindowsDefenderAv" ? "Windows Defender AV" : "EDR",
    Md5: file?.md5 ?? "",
    Sha256: file?.sha256 ?? "",
    WasExecutingWhileDetected: null,
    UserDomain: a.user.domainName,
    LogOnUsers: `${a.user.domainName}\\${a.user.accountName}`,
    MachineDomain: d?.machineDomain ?? "",
    MachineName: d?.machineName ?? "",
    InternalIPv4List: d?.ipAddress ?? "",
    InternalIPv6List: "",
    FileHash: file?.sha1 ?? "",
    DeviceID: d?.mdatpDeviceId ?? "",
    MachineGroup: d?.rbacGroupName ?? "",
    Description: a.description,
    DeviceCreatedMachineTags: d?.deviceTags.join(",") ?? "",
    CloudCreatedMachineTags: d?.cloudTags.join(",") ?? "",
    CommandLine: proc?.processCommandLine ?? "",
    IncidentLinkToWDATP: `https://securitycenter.windows.com/incidents/byalert?alertId=${id}&source=SIEM`,
    ReportID: Number(BigInt.asUintN(31, BigInt(`0x${Buffer.from(id).toString("hex").slice(0, 15) || "0"}`))),
    LinkToMTP: `https://security.microsoft.com/alert/${id}`,
    IncidentLinkToMTP: `https://security.microsoft.com/incidents/byalert?alertId=${id}&source=SIEM`,
    ExternalId: Buffer.from(id).toString("hex").slice(0, 40).toUpperCase().padEnd(40, "0"),
    IocUniqueId: Buffer.from(`${id}|ioc`).toString("base64"),
  };
}

// ---------------------------------------------------------------------------------------------
// Spelling variants (service.ts Spelling): the casings and tag property Microsoft's own examples use
// ---------------------------------------------------------------------------------------------

const ENUM_KEYS = new Set(["status", "severity", "classification", "determination"]);

/** A rendered incident or alert (with its alerts) re-spelled: enum values recased, Graph `customTags` sent as `tags`. */
export function respell<T>(body: T, spelling: Spelling, api: "xdr" | "mde" | "graph"): T {
  if (spelling.enumCase === "documented" && (api !== "graph" || spelling.graphTags === "customTags")) return body;
  const recase = (v: string) =>
    (spelling.enumCase === "pascal" ? v.charAt(0).toUpperCase() : spelling.enumCase === "camel" ? v.charAt(0).toLowerCase() : v.charAt(0)) + v.slice(1);
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (!value || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (ENUM_KEYS.has(k) && typeof v === "string") out[k] = recase(v);
      else if (k === "customTags" && api === "graph" && spelling.graphTags === "tags") out.tags = v;
      else out[k] = k === "evidence" || k === "entities" || k === "devices" ? v : walk(v);
    }
    return out;
  };
  return walk(body) as T;
}
