// `next start`, plus the one thing it cannot give the app: the TCP peer's address. The portal limits anonymous
// requests per client (lib/data/rate-limit.ts) and must know who the client is without believing headers the client
// wrote, so every request carries the socket address in x-portal-socket-address, and a copy sent by the client is
// replaced. X-Forwarded-For is left as it came: the app believes it only from TRUSTED_PROXIES.
// Plain JavaScript so production runs it with node alone: `PORT=3000 node scripts/serve.mjs` (after `next build`).
import { createServer } from "node:http";
import next from "next";

const SOCKET_ADDRESS_HEADER = "x-portal-socket-address"; // lib/security/client-address.ts
const port = Number(process.env.PORT ?? 3000);
const app = next({ dev: false, dir: process.cwd(), port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  delete req.headers[SOCKET_ADDRESS_HEADER];
  if (req.socket.remoteAddress) req.headers[SOCKET_ADDRESS_HEADER] = req.socket.remoteAddress;
  handle(req, res).catch((err) => {
    console.error("request failed:", err instanceof Error ? err.message : err);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
});
server.listen(port, () => console.log(`Portal listening on port ${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
