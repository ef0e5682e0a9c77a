// `npm run screenshots`: the README's pictures, taken from a running `npm start` (APP_URL, default
// http://localhost:3000) in Debian's Chromium, signed in as the demo's partner admin.
import { chromium } from "playwright-core";

const appUrl = process.env.APP_URL ?? "http://localhost:3000";
const admin = process.env.SCREENSHOT_UPN ?? "admin@contosomssp.onmicrosoft.com";

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" });
try {
  const context = await browser.newContext({ baseURL: appUrl, viewport: { width: 1440, height: 900 }, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.getByRole("button", { name: `Sign in as ${admin}` }).click();
  await page.waitForURL(/\/overview/);
  const shots: [string, string][] = [
    ["overview", "/overview"],
    ["queue", "/incidents?range=all"],
  ];
  for (const [name, path] of shots) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: `docs/screenshot-${name}.png` });
    console.log(`docs/screenshot-${name}.png`);
  }
  await page.goto("/incidents?range=all&severity=high");
  const first = page.getByTestId("incident-table").locator("tbody a").first();
  await page.goto((await first.getAttribute("href"))!);
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: "docs/screenshot-incident.png", fullPage: false });
  console.log("docs/screenshot-incident.png");
  await page.goto("/settings/notifications");
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: "docs/screenshot-notifications.png" });
  console.log("docs/screenshot-notifications.png");
  // A hunt over every demo customer (one granted hunting, the others say why they have no rows), once it finished.
  await page.goto("/hunting?starter=encoded-powershell");
  await page.getByTestId("hunt-timespan").selectOption("P30D");
  await page.getByTestId("kql-editor").press("Control+Enter");
  await page.waitForURL(/\/hunting\/runs\//);
  await page.getByTestId("hunt-status").filter({ hasText: "Finished" }).waitFor({ timeout: 60_000 });
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: "docs/screenshot-hunting.png", fullPage: true });
  console.log("docs/screenshot-hunting.png");
} finally {
  await browser.close();
}
