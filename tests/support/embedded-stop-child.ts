// A process that stops as `npm start` does (scripts/start.ts): on SIGINT its own handler drains, using the database
// while it does, and stops PostgreSQL last. Run by tests/integration/embedded-postgres.test.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { drainBeforeStopping, startEmbeddedPostgres } from "../../lib/db/embedded.ts";

const dir = process.env.PG_DIR!;
const server = await startEmbeddedPostgres({ dir, port: Number(process.env.PG_PORT), persistent: false, database: "postgres" });
const pool = new pg.Pool({ connectionString: server.url, max: 2 });
pool.on("error", (err: Error & { code?: string }) => console.log(`pool error ${err.code ?? err.message}`));
// Two connections left idle in the pool, as the worker's are between jobs.
await Promise.all([pool.query("SELECT pg_sleep(0.05)"), pool.query("SELECT pg_sleep(0.05)")]);

drainBeforeStopping();
process.on("SIGINT", async () => {
  // The drain takes a while and needs the database throughout (the worker gives its runs back).
  await new Promise((r) => setTimeout(r, 500));
  await pool.query("SELECT 1");
  console.log("drained");
  await pool.end();
  await server.stop();
  console.log("stopped");
  process.exit(0);
});
const postmasterPid = readFileSync(join(dir, "pgdata", "postmaster.pid"), "utf8").split("\n")[0];
console.log(`ready ${postmasterPid}`);
