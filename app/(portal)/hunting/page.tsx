import Link from "next/link";
import { z } from "zod";
import { requireViewer } from "@/lib/auth/session";
import { editorSource, listHuntHistory, listHuntQueries } from "@/lib/data/hunting";
import { listFilterGroups } from "@/lib/data/groups";
import { STARTER_HUNTS } from "@/lib/hunting/library";
import { HUNT_TIMESPANS } from "@/lib/validations/hunting";
import { HuntForm } from "@/components/hunting/hunt-form";
import { DeleteHuntQueryButton } from "@/components/hunting/hunting-buttons";
import { Card, PageHeader, formatDateTime } from "@/components/ui/primitives";

export const metadata = { title: "Hunting" };

const params = z.object({
  starter: z.string().max(64).optional().catch(undefined),
  saved: z.string().max(64).optional().catch(undefined),
  run: z.string().max(64).optional().catch(undefined),
});

function firstLine(query: string): string {
  const line = query.split("\n").find((l) => l.trim()) ?? "";
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
}

export default async function HuntingPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  const from = params.parse(await searchParams);
  const [source, groups, saved, history] = await Promise.all([
    editorSource(viewer, from),
    listFilterGroups(viewer),
    listHuntQueries(viewer),
    listHuntHistory(viewer),
  ]);
  return (
    <>
      <PageHeader
        title="Advanced hunting"
        description="One KQL query across your customers' Defender data (Microsoft Graph runHuntingQuery). Each customer answers on its own, within its quota; results are kept for a few days."
      />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <Card title="Query">
          {/* key: a new source (starter, saved query, history) opens a fresh editor. */}
          <HuntForm key={`${from.starter ?? ""}|${from.saved ?? ""}|${from.run ?? ""}`} source={source} groups={groups} />
        </Card>
        <div className="space-y-6">
          <Card title="Starter hunts">
            <ul className="space-y-2 text-sm" data-testid="starter-hunts">
              {STARTER_HUNTS.map((h) => (
                <li key={h.key}>
                  <Link href={`/hunting?starter=${h.key}`} className="font-medium text-blue-800 hover:underline">
                    {h.name}
                  </Link>
                  <p className="text-xs text-slate-500">{h.description}</p>
                </li>
              ))}
            </ul>
          </Card>
          <Card title="Saved queries">
            {saved.length === 0 ? (
              <p className="text-sm text-slate-500">None yet: write a query and use “Save this query”.</p>
            ) : (
              <ul className="space-y-2 text-sm" data-testid="saved-hunts">
                {saved.map((q) => (
                  <li key={q.id} className="flex items-start justify-between gap-2" data-testid="saved-hunt">
                    <div className="min-w-0">
                      <Link href={`/hunting?saved=${q.id}`} className="font-medium text-blue-800 hover:underline">
                        {q.name}
                      </Link>
                      <span className="ml-2 text-xs text-slate-500">{q.mine ? (q.shared ? "mine, shared" : "mine") : "shared"}</span>
                      {q.description && <p className="text-xs text-slate-500">{q.description}</p>}
                    </div>
                    {q.canEdit && <DeleteHuntQueryButton queryId={q.id} />}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Your recent hunts">
            {history.length === 0 ? (
              <p className="text-sm text-slate-500">Your hunts will be listed here.</p>
            ) : (
              <ul className="space-y-2 text-sm" data-testid="hunt-history">
                {history.map((h) => (
                  <li key={h.id}>
                    <Link href={`/hunting/runs/${h.id}`} className="block truncate font-mono text-xs text-blue-800 hover:underline">
                      {firstLine(h.query)}
                    </Link>
                    <p className="text-xs text-slate-500">
                      {formatDateTime(h.createdAt)} · {HUNT_TIMESPANS.find((t) => t.value === h.timespan)?.label ?? h.timespan} · {h.total} customer
                      {h.total === 1 ? "" : "s"} ·{" "}
                      {h.status === "finished" ? `${h.rowCount.toLocaleString("en-US")} rows${h.truncated ? " (cut)" : ""}` : h.status} ·{" "}
                      <Link href={`/hunting?run=${h.id}`} className="text-blue-800 hover:underline">
                        edit
                      </Link>
                    </p>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
