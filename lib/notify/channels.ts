import { z } from "zod";
import { open, seal } from "./crypto.ts";
import type { ChannelKind } from "./model.ts";
import type { OpenChannel } from "./send.ts";

/** The sealed part of a channel: what must never be stored or shown in the clear. */
const secretSchema = z.object({ url: z.string().optional(), hmacSecret: z.string().optional() });
export type ChannelSecret = z.infer<typeof secretSchema>;

// The row's id and purpose bind the ciphertext: copied to another channel, it does not open.
const aad = (channelId: string) => `notification-channel:${channelId}`;

export function sealChannelSecret(key: Buffer | null, channelId: string, secret: ChannelSecret): string {
  return seal(key, JSON.stringify(secret), aad(channelId));
}

export function openChannel(key: Buffer | null, row: { id: string; kind: string; recipients: string[]; secretSealed: string | null }): OpenChannel {
  const secret = row.secretSealed ? secretSchema.parse(JSON.parse(open(key, row.secretSealed, aad(row.id)))) : {};
  return { id: row.id, kind: row.kind as ChannelKind, recipients: row.recipients, ...secret };
}

/** What the page shows for a URL: its host and the last 4 characters, nothing that would let someone post to it. */
export function urlHint(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}/…${raw.slice(-4)}`;
  } catch {
    return `…${raw.slice(-4)}`;
  }
}
