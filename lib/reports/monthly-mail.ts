import type PgBoss from "pg-boss";
import { notifyConfig, type NotifyConfig } from "../config/notify.ts";
import type { PrismaClient } from "../db/client.ts";
import { monthlyReportsDue, renderCustomerReportPdf } from "../data/reports.ts";
import { plain } from "../notify/format.ts";
import { sendMail } from "../notify/send.ts";

/**
 * The monthly service report by e-mail: on each of the first days of a month, every customer with report recipients
 * gets last month's report as a PDF, once. A row per (customer, period) is claimed before sending: a finished one is
 * never sent again; one claimed by a worker that died is taken again after a lease, with the same Message-ID, so a
 * mailbox can recognise the repeat (SMTP itself cannot promise more, as for notifications).
 */
export const REPORT_MAIL_QUEUE = "report-mail";
/** Daily at 06:00 UTC: a worker that was down on the 1st still sends within the catch-up window. */
export const REPORT_MAIL_CRON = "0 6 * * *";
const CATCH_UP_DAYS = 7;
const LEASE_MS = 10 * 60_000;
const MAX_ATTEMPTS = 5;

export interface ReportMailOutcome {
  sent: number;
  skipped: number;
  failed: number;
}

export async function sendDueReports(prisma: PrismaClient, opts: { now?: Date; config?: NotifyConfig; force?: boolean } = {}): Promise<ReportMailOutcome> {
  const now = opts.now ?? new Date();
  const out: ReportMailOutcome = { sent: 0, skipped: 0, failed: 0 };
  // Last month's report is news in the first week; after that, recipients added mid-month wait for the next one.
  if (!opts.force && now.getUTCDate() > CATCH_UP_DAYS) return out;
  const cfg = opts.config ?? notifyConfig();
  for (const due of await monthlyReportsDue(now)) {
    if (!(await claim(prisma, due.customerId, due.range.from, now))) {
      out.skipped += 1;
      continue;
    }
    const key = { customerId_periodStart: { customerId: due.customerId, periodStart: due.range.from } };
    let rendered: Awaited<ReturnType<typeof renderCustomerReportPdf>>;
    try {
      rendered = await renderCustomerReportPdf(due.customerId, due.range);
      if (!rendered) throw new Error("the customer is gone");
    } catch (err) {
      await prisma.reportMailing.update({ where: key, data: { status: "failed", lastError: `PDF: ${String((err as Error).message).slice(0, 300)}` } });
      out.failed += 1;
      continue;
    }
    const name = plain(due.displayName, 120);
    const period = due.range.from.slice(0, 7);
    const result = await sendMail(cfg, {
      to: due.recipients,
      subject: `Service report for ${name}, ${period}`,
      text: [
        `Attached is the security service report for ${name} covering ${due.range.from} to ${due.range.to}:`,
        "incidents by severity and classification, time to acknowledge and to resolve, SLA attainment and the top alerts.",
        "",
        `It is also in the portal: ${cfg.appUrl}/customers/${due.customerId}/report?from=${due.range.from}&to=${due.range.to}`,
      ].join("\n"),
      messageId: `<report-${due.customerId}-${due.range.from}@reports.portal>`,
      attachments: [{ filename: rendered.fileName, content: rendered.pdf, contentType: "application/pdf" }],
    });
    await prisma.reportMailing.update({
      where: key,
      data: result.ok
        ? { status: "sent", sentAt: new Date(), recipients: due.recipients.length, lastError: null }
        : { status: "failed", lastError: result.error?.slice(0, 300) ?? "not sent" },
    });
    if (result.ok) out.sent += 1;
    else out.failed += 1;
  }
  return out;
}

/** Takes the (customer, period) row: new, failed with attempts left, or left "sending" by a worker past its lease. */
async function claim(prisma: PrismaClient, customerId: string, periodStart: string, now: Date): Promise<boolean> {
  const claimed = await prisma.$executeRaw`
    INSERT INTO "ReportMailing" ("customerId", "periodStart", status, attempts, "claimedAt")
    VALUES (${customerId}::uuid, ${periodStart}, 'sending', 1, ${now})
    ON CONFLICT ("customerId", "periodStart") DO UPDATE SET status = 'sending', attempts = "ReportMailing".attempts + 1, "claimedAt" = ${now}
    WHERE "ReportMailing".attempts < ${MAX_ATTEMPTS}
      AND ("ReportMailing".status = 'failed' OR ("ReportMailing".status = 'sending' AND "ReportMailing"."claimedAt" < ${new Date(now.getTime() - LEASE_MS)}))`;
  return claimed === 1;
}

export async function startReportMailJobs(boss: PgBoss, prisma: PrismaClient, log: (line: string) => void): Promise<void> {
  await boss.createQueue(REPORT_MAIL_QUEUE, { name: REPORT_MAIL_QUEUE, policy: "singleton", retryLimit: 2, retryDelay: 600, expireInSeconds: 60 * 60 });
  await boss.schedule(REPORT_MAIL_QUEUE, REPORT_MAIL_CRON, {}, { tz: "UTC" });
  await boss.work(REPORT_MAIL_QUEUE, { batchSize: 1, pollingIntervalSeconds: 60 }, async () => {
    const r = await sendDueReports(prisma);
    if (r.sent || r.failed) log(`reports: ${r.sent} monthly report e-mail(s) sent, ${r.failed} failed`);
  });
}
