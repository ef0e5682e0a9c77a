/**
 * HTML → PDF with the machine's Chromium (playwright-core, `CHROMIUM_PATH` or /usr/bin/chromium). The page is given
 * the HTML with setContent: it never navigates to the portal, so it carries no session and sees only what the
 * caller already loaded with the viewer's access. JavaScript is off and every network request is refused.
 */
import { AppError } from "../errors.ts";

const MAX_CONCURRENT = 1;
/** Renders waiting their turn before new requests are turned away (each one is a Chromium: seconds of CPU). */
const MAX_WAITING = 4;
let running = 0;
const waiting: (() => void)[] = [];

export class PdfBusyError extends AppError {
  override name = "PdfBusyError";
  constructor() {
    super("Several reports are being rendered right now. Try again in a minute.", "pdf_busy", 503);
  }
}

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) {
    if (waiting.length >= MAX_WAITING) throw new PdfBusyError();
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

export async function htmlToPdf(html: string, opts: { timeoutMs?: number } = {}): Promise<Buffer> {
  return slot(async () => {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
      timeout: opts.timeoutMs ?? 30_000,
    });
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      await context.route("**/*", (route) => route.abort());
      const page = await context.newPage();
      page.setDefaultTimeout(opts.timeoutMs ?? 30_000);
      await page.setContent(html, { waitUntil: "load" });
      return await page.pdf({ format: "A4", printBackground: true, margin: { top: "0", bottom: "0", left: "0", right: "0" } });
    } finally {
      await browser.close().catch(() => {});
    }
  });
}
