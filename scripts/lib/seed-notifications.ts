import { randomUUID } from "node:crypto";
import { createPrismaClient } from "../../lib/db/client.ts";
import { sealChannelSecret, urlHint } from "../../lib/notify/channels.ts";
import { newWebhookSecret } from "../../lib/notify/signature.ts";

/**
 * Demo notifications, written once per database: an e-mail channel, a Teams channel and a webhook channel pointing
 * at the local receivers, and the rule "New high-severity incidents" sending to all three, so a new incident at the
 * simulator shows up in the local inbox after the next sync.
 */
export async function seedNotificationsDemo(input: { databaseUrl: string; receiverUrl: string; encryptionKey: Buffer; log: (line: string) => void }) {
  const prisma = createPrismaClient(input.databaseUrl);
  try {
    const partner = await prisma.partner.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true, contactEmail: true } });
    if (!partner) return;
    if (await prisma.auditEntry.findFirst({ where: { action: "notification.demo.seeded" }, select: { id: true } })) return;
    const channels = [
      { id: randomUUID(), name: "SOC mailbox", kind: "email", recipients: [partner.contactEmail ?? "soc@localhost"], secret: null },
      { id: randomUUID(), name: "SOC Teams channel", kind: "teams", recipients: [], secret: { url: `${input.receiverUrl}/hooks/teams-soc` } },
      {
        id: randomUUID(),
        name: "PSA webhook",
        kind: "webhook",
        recipients: [],
        secret: { url: `${input.receiverUrl}/hooks/psa`, hmacSecret: newWebhookSecret() },
      },
    ];
    await prisma.$transaction(async (tx) => {
      for (const c of channels) {
        await tx.notificationChannel.create({
          data: {
            id: c.id,
            partnerId: partner.id,
            name: c.name,
            kind: c.kind,
            recipients: c.recipients,
            secretSealed: c.secret ? sealChannelSecret(input.encryptionKey, c.id, c.secret) : null,
            targetHint: c.secret ? urlHint(c.secret.url) : "1 recipient",
          },
        });
      }
      await tx.notificationRule.create({
        data: {
          partnerId: partner.id,
          name: "New high-severity incidents",
          kinds: ["incident.created"],
          minSeverity: "high",
          channelIds: channels.map((c) => c.id),
        },
      });
      await tx.auditEntry.create({ data: { actor: "system", action: "notification.demo.seeded", detail: { channels: channels.map((c) => c.name) } } });
    });
    input.log("Demo notifications: e-mail, Teams and webhook channels to the local receivers, rule “New high-severity incidents”.");
  } finally {
    await prisma.$disconnect();
  }
}
