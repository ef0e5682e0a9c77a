import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { requireViewer } from "@/lib/auth/session";
import { can } from "@/lib/auth/viewer";
import { getHuntRun, huntResultsPage } from "@/lib/data/hunting";
import { pageParam } from "@/lib/data/filters";
import { LiveRefresh } from "@/components/bulk/live-refresh";
import { HuntProgress } from "@/components/hunting/hunt-progress";
import { HuntResultsTable } from "@/components/hunting/results-table";
import { RetryHuntButton } from "@/components/hunting/hunting-buttons";
import { InertText } from "@/components/inert-text";
import { ButtonLink, Card, PageHeader, formatDateTime } from "@/components/ui/primitives";

export const metadata = { title: "Hunt" };

const resultParams = z.object({
  page: pageParam,
  sort: z.string().max(200).optional().catch(undefined),
  dir: z.enum(["asc", "desc"]).catch("asc").default("asc"),
});

export default async function HuntRunPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requireViewer();
  const run = await getHuntRun(viewer, (await params).id);
  if (!run) notFound();
  const q = resultParams.parse(await searchParams);
  const results = await huntResultsPage(viewer, run, { page: q.page, sort: q.sort ?? null, dir: q.dir });
  const active = run.status !== "finished";
  return (
    <>
      <LiveRefresh active={active} ms={2000} />
      <PageHeader
        title="Hunt"
        description={`${run.selectionLabel} · ${run.timespanLabel} · started ${formatDateTime(run.createdAt)}${run.finishedAt ? ` · finished ${formatDateTime(run.finishedAt)}` : ""}`}
        actions={
          <>
            <ButtonLink href={`/hunting?run=${run.id}`} variant="secondary" data-testid="hunt-edit">
              Edit and run again
            </ButtonLink>
            <ButtonLink href="/hunting" variant="secondary">
              New hunt
            </ButtonLink>
          </>
        }
      />
      <div className="space-y-6">
        <Card title="Query">
          <pre className="overflow-x-auto whitespace-pre font-mono text-xs leading-5 text-slate-800" data-testid="hunt-query">
            <InertText value={run.query} max={20_000} />
          </pre>
        </Card>
        <Card
          title={<span data-testid="hunt-status">{active ? "Running…" : "Finished"}</span>}
          actions={!active && run.counts.failed > 0 && !run.expired ? <RetryHuntButton runId={run.id} /> : null}
        >
          <HuntProgress run={run} canAskForPermissions={can(viewer, "customers:onboard")} />
        </Card>
        <div id="results">
          <Card
            title="Results"
            actions={
              run.expired ? null : (
                <>
                  <a href={`/api/hunting/runs/${run.id}/export?format=csv`} className="text-sm text-blue-800 hover:underline" data-testid="hunt-export-csv">
                    Export CSV
                  </a>
                  <a href={`/api/hunting/runs/${run.id}/export?format=json`} className="text-sm text-blue-800 hover:underline" data-testid="hunt-export-json">
                    Export JSON
                  </a>
                </>
              )
            }
          >
            {run.truncated && (
              <p role="status" className="mb-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200" data-testid="hunt-truncated">
                This hunt kept {run.rowCap.toLocaleString("en-US")} rows, its cap, and left out {run.rowsCut.toLocaleString("en-US")} more (the customers
                concerned say how many). Narrow the query — a `where`, a `summarize`, fewer customers — to see everything.
              </p>
            )}
            {run.expired ? (
              <p className="text-sm text-slate-600" data-testid="hunt-expired">
                The results of this hunt were deleted on {formatDateTime(run.resultsExpireAt)} (results are kept for a limited time). Use “Edit and run again”.
              </p>
            ) : results.total === 0 ? (
              <p className="text-sm text-slate-600" data-testid="hunt-no-results">
                {active ? "No rows yet: results appear as customers answer." : "No rows: the query matched nothing in the customers that answered."}
              </p>
            ) : (
              <>
                <p className="mb-2 text-xs text-slate-500">Kept until {formatDateTime(run.resultsExpireAt)}.</p>
                <HuntResultsTable runId={run.id} columns={run.columns} {...results} sort={q.sort ?? null} dir={q.dir} />
              </>
            )}
          </Card>
        </div>
        <p className="text-sm">
          <Link href="/hunting" className="text-blue-800 hover:underline">
            ← Hunting
          </Link>
        </p>
      </div>
    </>
  );
}
