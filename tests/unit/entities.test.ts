import assert from "node:assert/strict";
import { test } from "node:test";
import { summarizeEntities, type EntityInput } from "../../lib/shared/entities.ts";
import { bulkChangeInput } from "../../lib/validations/bulk.ts";

const device = (id: string | null, name: string | null) => ({ id, name, osPlatform: "Windows11", healthStatus: "active", riskScore: "high" });
const ev = (type: string, fields: Record<string, string>, verdict: string | null = "suspicious", remediationStatus: string | null = null) => ({
  type,
  verdict,
  remediationStatus,
  fields,
});

test("entities are de-duplicated across alerts (Defender XDR shapes), with every verdict, remediation and alert", () => {
  const alerts: EntityInput[] = [
    {
      id: "a1",
      title: "Mimikatz",
      detail: {
        devices: [device("dev-1", "ws1.contoso.com")],
        evidence: [
          ev("user", { accountName: "jdoe", domainName: "CONTOSO", userPrincipalName: "JDoe@contoso.com" }),
          ev("file", { fileName: "mimi.exe", filePath: "C:\\Temp", sha256: "AB12" }, "malicious", "remediated"),
          ev("process", { processId: "42", processCommandLine: "mimi.exe privilege::debug", deviceId: "dev-1" }),
          ev("ip", { ipAddress: "10.0.0.5" }),
          ev("mailBox", { mailboxAddress: "JDoe@contoso.com", mailboxDisplayName: "J Doe" }),
        ],
      },
    },
    {
      id: "a2",
      title: "Credential theft",
      detail: {
        devices: [device("DEV-1", "WS1.contoso.com")],
        evidence: [
          ev("user", { userPrincipalName: "jdoe@contoso.com" }, "malicious"),
          ev("file", { fileName: "MIMI.EXE", filePath: "C:\\Other", sha256: "ab12" }, "malicious", "prevented"),
          ev("process", { processId: "42", processCommandLine: "mimi.exe privilege::debug", deviceId: "dev-1" }),
          ev("process", { processId: "43", processCommandLine: "cmd.exe /c whoami", deviceId: "dev-1" }),
          ev("url", { url: "https://evil.example/x" }),
          ev("registry", { registryKey: "HKLM\\Run", registryValue: "x" }),
        ],
      },
    },
  ];
  const s = summarizeEntities(alerts);
  assert.equal(s.device.length, 1, "one device: same id in another case");
  assert.deepEqual(
    s.device[0]!.alerts.map((a) => a.id),
    ["a1", "a2"],
  );
  assert.equal(s.user.length, 1, "one user: the UPN decides, case-insensitively");
  assert.deepEqual(s.user[0]!.verdicts, ["suspicious", "malicious"]);
  assert.equal(s.user[0]!.facts.find((f) => f.label === "Account")?.value, "CONTOSO\\jdoe", "a later alert's gap does not erase the first's fact");
  assert.equal(s.file.length, 1, "one file: the SHA-256 decides");
  assert.deepEqual(s.file[0]!.remediation, ["remediated", "prevented"]);
  assert.equal(s.file[0]!.raw.length, 2, "both raw field sets kept for the toggle");
  assert.equal(s.process.length, 2);
  assert.equal(s.process[0]!.facts.find((f) => f.label === "Command line")?.value, "mimi.exe privilege::debug");
  assert.equal(s.process[0]!.alerts.length, 2);
  assert.deepEqual([s.ip.length, s.url.length, s.mailbox.length, s.other.length], [1, 1, 1, 1]);
  assert.equal(s.mailbox[0]!.name, "JDoe@contoso.com");
});

test("Graph's nested evidence: a device listed both as a device and as device evidence appears once; users and files by nested keys", () => {
  const alerts: EntityInput[] = [
    {
      id: "g1",
      title: "Graph alert",
      detail: {
        devices: [device("mde-9", "host9")],
        evidence: [
          ev("device", { mdeDeviceId: "mde-9", deviceDnsName: "host9", osPlatform: "Windows11" }, "suspicious", "notFound"),
          ev("user", { "userAccount.accountName": "svc", "userAccount.domainName": "CORP", "userAccount.userPrincipalName": "svc@corp.com" }),
          ev("file", { "fileDetails.fileName": "a.dll", "fileDetails.filePath": "C:\\x", "fileDetails.sha256": "FF" }),
          ev("process", { processId: "7", processCommandLine: "rundll32 a.dll,Run", "imageFile.fileName": "rundll32.exe", mdeDeviceId: "mde-9" }),
        ],
      },
    },
    {
      id: "g2",
      title: "Graph alert 2",
      detail: { devices: [], evidence: [ev("user", { "userAccount.userPrincipalName": "SVC@corp.com" }), ev("file", { "fileDetails.sha256": "ff" })] },
    },
  ];
  const s = summarizeEntities(alerts);
  assert.equal(s.device.length, 1);
  assert.deepEqual(s.device[0]!.remediation, ["notFound"]);
  assert.equal(s.user.length, 1);
  assert.equal(s.user[0]!.alerts.length, 2);
  assert.equal(s.file.length, 1);
  assert.equal(s.file[0]!.name, "a.dll");
  assert.equal(s.process[0]!.name, "rundll32.exe");
});

test("bulk change input: a determination needs its classification, tags are split and bounded, something must change", () => {
  assert.equal(bulkChangeInput.safeParse({ determination: "Malware" }).success, false);
  assert.equal(bulkChangeInput.safeParse({ classification: "FalsePositive", determination: "Malware" }).success, false);
  const ok = bulkChangeInput.parse({ classification: "TruePositive", determination: "Malware", tags: " a, b ,a,, " });
  assert.deepEqual(ok.tags, ["a", "b"]);
  assert.equal(bulkChangeInput.safeParse({ tags: "bad\u0007tag" }).success, false);
  assert.equal(bulkChangeInput.safeParse({}).success, false, "nothing to change");
});
