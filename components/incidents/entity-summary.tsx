import Link from "next/link";
import { ENTITY_KINDS, summarizeEntities, type EntityInput } from "@/lib/shared/entities";
import { InertText } from "../inert-text";
import { Card } from "../ui/primitives";
import { LazyDetails } from "../ui/lazy-details";
import { label } from "./badges";

/** Entities listed per kind before "and N more" (an incident with thousands of files stays readable). */
const MAX_PER_KIND = 50;

/**
 * Who and what this incident touches, across all its alerts: each device, user, file, process, IP, URL and mailbox
 * once, with its verdicts, remediation and the alerts it appears in; the raw fields behind a toggle. Every value is
 * customer data and rendered as inert text.
 */
export function EntitySummary({ alerts }: { alerts: EntityInput[] }) {
  const summary = summarizeEntities(alerts);
  const kinds = ENTITY_KINDS.filter(({ kind }) => summary[kind].length > 0);
  return (
    <Card title="Entities across alerts">
      {kinds.length === 0 && <p className="text-sm text-slate-500">No devices or evidence reported.</p>}
      <div className="space-y-4" data-testid="entity-summary">
        {kinds.map(({ kind, title }) => {
          const items = summary[kind];
          return (
            <section key={kind} data-testid={`entities-${kind}`}>
              <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">
                {title} ({items.length})
              </h3>
              <ul className="space-y-1.5">
                {items.slice(0, MAX_PER_KIND).map((e) => (
                  <li key={e.key} className="rounded-md bg-slate-50 p-2 text-xs ring-1 ring-slate-200" data-testid="entity" data-kind={kind}>
                    <div className="flex flex-wrap items-center gap-2">
                      <span className="font-mono font-medium text-slate-900" data-testid="entity-name">
                        <InertText value={e.name} max={300} />
                      </span>
                      {e.verdicts.map((v) => (
                        <span key={v} className="rounded bg-white px-1.5 py-0.5 text-slate-700 ring-1 ring-slate-300" data-testid="entity-verdict">
                          Verdict: <InertText value={label(v)} max={60} />
                        </span>
                      ))}
                      {e.remediation.map((r) => (
                        <span key={r} className="rounded bg-white px-1.5 py-0.5 text-slate-700 ring-1 ring-slate-300">
                          Remediation: <InertText value={label(r)} max={60} />
                        </span>
                      ))}
                    </div>
                    {e.facts.length > 0 && (
                      <dl className="mt-1 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5">
                        {e.facts.map((f) => (
                          <div key={f.label} className="contents">
                            <dt className="text-slate-500">{f.label}</dt>
                            <dd className="break-all font-mono" data-testid={f.label === "Command line" ? "entity-command-line" : undefined}>
                              <InertText value={f.value} max={f.label === "Command line" ? 4000 : 500} />
                            </dd>
                          </div>
                        ))}
                      </dl>
                    )}
                    <p className="mt-1 text-slate-600">
                      In {e.alerts.length === 1 ? "alert" : `${e.alerts.length} alerts`}:{" "}
                      {e.alerts.slice(0, 10).map((a, n) => (
                        <span key={a.id}>
                          {n > 0 && ", "}
                          <Link href={`/alerts/${a.id}`} className="text-blue-800 hover:underline">
                            <InertText value={a.title} max={120} />
                          </Link>
                        </span>
                      ))}
                      {e.alerts.length > 10 && ` and ${e.alerts.length - 10} more`}
                    </p>
                    <LazyDetails className="mt-1" summaryClassName="cursor-pointer text-slate-500" summary="Raw evidence fields">
                      {e.raw.map((fields, n) => (
                        <dl key={n} className="mt-1 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5 border-t border-slate-200 pt-1">
                          {Object.entries(fields)
                            .slice(0, 40)
                            .map(([k, v]) => (
                              <div key={k} className="contents">
                                <dt className="text-slate-500">
                                  <InertText value={k} max={100} />
                                </dt>
                                <dd className="break-all font-mono">
                                  <InertText value={v} max={2000} />
                                </dd>
                              </div>
                            ))}
                        </dl>
                      ))}
                    </LazyDetails>
                  </li>
                ))}
              </ul>
              {items.length > MAX_PER_KIND && <p className="mt-1 text-xs text-slate-500">and {items.length - MAX_PER_KIND} more</p>}
            </section>
          );
        })}
      </div>
    </Card>
  );
}
