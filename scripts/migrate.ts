// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL.
import { migrate } from "../lib/db/migrate.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set. `npm start` migrates the embedded database by itself; for another server set DATABASE_URL.");
  process.exit(2);
}
const { applied } = await migrate(url, { log: (l) => console.log(l) });
console.log(applied.length ? `${applied.length} migration(s) applied.` : "Database is up to date.");
