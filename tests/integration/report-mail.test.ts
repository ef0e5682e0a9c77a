import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { startReceivers, type ReceiversHandle } from "../../simulator/receivers/server.ts";
import { createMigratedDatabase } from "../support/db.ts";
import type { PrismaClient } from "../../lib/db/client.ts";
import type { NotifyConfig } from "../../lib/config/notify.ts";

/** Issue #10 §3: last month's customer report is e-mailed to its recipients as a PDF, once, over real SMTP. */
let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
let prisma: PrismaClient;
let rx: ReceiversHandle;
let cfg: NotifyConfig;

before(async () => {
  database = await createMigratedDatabase("reportmail");
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    NEXTAUTH_URL: "http://localhost:3999",
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    ENTRA_PARTNER_TENANT_ID: randomUUID(),
    ENTRA_CLIENT_ID: randomUUID(),
    ENTRA_CLIENT_SECRET: "not-used-here",
  });
  prisma = (await import("../../lib/db/client.ts")).db();
  rx = await startReceivers();
  cfg = (await import("../../lib/config/notify.ts")).parseNotifyConfig({
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(rx.smtpPort),
    SMTP_REQUIRE_TLS: "false",
    NEXTAUTH_URL: "http://localhost:3999",
  });
});
after(async () => {
  await rx?.close();
  await prisma?.$disconnect();
  await database?.drop();
});

test("the monthly report goes once to each customer's recipients, in the first week of the month, with a clean subject", async () => {
  const { sendDueReports } = await import("../../lib/reports/monthly-mail.ts");
  const partnerId = randomUUID();
  await prisma.partner.create({ data: { id: partnerId, name: "Report MSSP", entraTenantId: randomUUID() } });
  const customerId = randomUUID();
  await prisma.customer.create({
    data: {
      id: customerId,
      partnerId,
      displayName: "Fabrikam\r\nBcc: victim@example.com <b>",
      region: "eu",
      status: "CONSENTED",
      tenantId: randomUUID(),
      reportRecipients: ["soc@fabrikam.example", "ciso@fabrikam.example"],
    },
  });
  await prisma.customer.create({
    data: { id: randomUUID(), partnerId, displayName: "No recipients", region: "eu", status: "CONSENTED", tenantId: randomUUID() },
  });
  const created = new Date("2026-11-10T09:00:00Z");
  await prisma.incident.create({
    data: {
      id: randomUUID(),
      customerId,
      source: "graph",
      sourceId: "1",
      title: '=HYPERLINK("http://evil")',
      severity: "high",
      status: "resolved",
      createdTime: created,
      lastUpdateTime: created,
      syncedAt: created,
      acknowledgedAt: new Date(created.getTime() + 10 * 60_000),
      resolvedAt: new Date(created.getTime() + 60 * 60_000),
      payload: {},
    },
  });

  assert.deepEqual(
    await sendDueReports(prisma, { now: new Date("2026-12-15T06:00:00Z"), config: cfg }),
    { sent: 0, skipped: 0, failed: 0 },
    "mid-month: nothing",
  );
  const first = await sendDueReports(prisma, { now: new Date("2026-12-01T06:00:00Z"), config: cfg });
  assert.deepEqual(first, { sent: 1, skipped: 0, failed: 0 });
  assert.equal(rx.mails.length, 1);
  const mail = rx.mails[0]!;
  assert.deepEqual([...mail.to].sort(), ["ciso@fabrikam.example", "soc@fabrikam.example"]);
  assert.match(mail.subject, /^Service report for Fabrikam {2}Bcc: victim@example\.com <b>, 2026-11$/);
  assert.ok(!/[\r\n]/.test(mail.subject), "tenant text cannot add header lines");
  assert.match(mail.text, /2026-11-01 to 2026-11-30/);
  const row = await prisma.reportMailing.findUniqueOrThrow({ where: { customerId_periodStart: { customerId, periodStart: "2026-11-01" } } });
  assert.equal(row.status, "sent");
  assert.equal(row.recipients, 2);

  // The job runs daily: the next days of the catch-up window send nothing again.
  assert.deepEqual(await sendDueReports(prisma, { now: new Date("2026-12-02T06:00:00Z"), config: cfg }), { sent: 0, skipped: 1, failed: 0 });
  assert.equal(rx.mails.length, 1, "sent once");
});

test("an SMTP failure is recorded and retried on the next run; the report then goes out once", async () => {
  const { sendDueReports } = await import("../../lib/reports/monthly-mail.ts");
  const partnerId = randomUUID();
  await prisma.partner.create({ data: { id: partnerId, name: "Retry MSSP", entraTenantId: randomUUID() } });
  const customerId = randomUUID();
  await prisma.customer.create({
    data: {
      id: customerId,
      partnerId,
      displayName: "Northwind",
      region: "eu",
      status: "CONSENTED",
      tenantId: randomUUID(),
      reportRecipients: ["soc@northwind.example"],
    },
  });
  const before = rx.mails.length;
  // An SMTP server that is not there (a port just freed): the send fails, nothing is lost.
  const closed = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const down = await sendDueReports(prisma, {
    now: new Date("2027-01-01T06:00:00Z"),
    config: { ...cfg, smtp: { ...cfg.smtp!, port: closed }, sendTimeoutMs: 1_000 },
  });
  assert.ok(down.failed >= 1, JSON.stringify(down));
  const failed = await prisma.reportMailing.findUniqueOrThrow({ where: { customerId_periodStart: { customerId, periodStart: "2026-12-01" } } });
  assert.equal(failed.status, "failed");
  assert.ok(failed.lastError);
  const again = await sendDueReports(prisma, { now: new Date("2027-01-02T06:00:00Z"), config: cfg });
  assert.ok(again.sent >= 1);
  assert.equal(rx.mails.filter((m) => m.to.includes("soc@northwind.example")).length, 1);
  assert.ok(rx.mails.length > before);
});
