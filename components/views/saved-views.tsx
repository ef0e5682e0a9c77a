"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { startTransition, useActionState, useState, useTransition } from "react";
import { createViewAction, deleteViewAction, updateViewAction } from "@/lib/actions/views";
import type { Result } from "@/lib/result";
import { ActionResult } from "../ui/action-result";

export interface SavedViewItem {
  id: string;
  name: string;
  href: string;
  shared: boolean;
  mine: boolean;
  ownerName: string;
  canEdit: boolean;
}

// `.chip`, `.chip-on` and `.chip-off` are in app/globals.css (short classes: issue #12 §1).
const chip = (on: boolean) => (on ? "chip chip-on" : "chip chip-off");

/**
 * The queue's saved views: "My queue", the viewer's own views and those shared with the team, each a link to the
 * queue with its filters; "Save view" stores the filters on screen under a name.
 */
export function SavedViews({
  queue,
  views,
  current,
  myQueueHref,
}: {
  queue: "incidents" | "alerts";
  views: SavedViewItem[];
  /** The filters on screen as a query string ("?severity=high…" or ""). */
  current: string;
  myQueueHref?: string;
}) {
  const here = `/${queue}${current}`;
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <div className="card mb-4 p-3" data-testid="saved-views">
      <div className="flex flex-wrap items-center gap-2">
        <span className="chip-label">Views</span>
        {myQueueHref && (
          <Link href={myQueueHref} data-testid="my-queue" className={chip(here === myQueueHref)}>
            My queue
          </Link>
        )}
        {views.map((v) => (
          <span key={v.id} className="inline-flex items-center gap-1" data-testid="saved-view">
            <Link href={v.href} className={chip(here === v.href)} title={v.shared ? `Shared by ${v.ownerName}` : "Only you see this view"}>
              <span className="inert-text">{v.name}</span>
              {v.shared && <span aria-label="shared">· team</span>}
            </Link>
            {v.canEdit && (
              <button
                type="button"
                className="text-xs text-slate-500 hover:text-slate-900"
                aria-label={`Edit view ${v.name}`}
                data-testid="saved-view-edit"
                onClick={() => setEditing(editing === v.id ? null : v.id)}
              >
                ✎
              </button>
            )}
          </span>
        ))}
        <SaveViewForm queue={queue} current={current} />
      </div>
      {views
        .filter((v) => v.id === editing)
        .map((v) => (
          <EditViewForm key={v.id} view={v} onDone={() => setEditing(null)} />
        ))}
    </div>
  );
}

function SaveViewForm({ queue, current }: { queue: string; current: string }) {
  const [state, action, pending] = useActionState(createViewAction, null);
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <button type="button" className="ml-auto text-xs font-medium text-blue-800 underline" data-testid="save-view-open" onClick={() => setOpen(true)}>
        Save these filters as a view
      </button>
    );
  }
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        startTransition(() => action(form));
      }}
      className="ml-auto flex flex-wrap items-center gap-2 text-xs"
      data-testid="save-view-form"
    >
      <input type="hidden" name="queue" value={queue} />
      <input type="hidden" name="query" value={current} />
      <label>
        <span className="sr-only">View name</span>
        <input name="name" required maxLength={60} placeholder="View name" className="rounded-md border border-slate-300 px-2 py-1" />
      </label>
      <label className="inline-flex items-center gap-1">
        <input type="checkbox" name="shared" /> Share with the team
      </label>
      <button type="submit" disabled={pending} className="rounded-md bg-slate-800 px-2 py-1 font-semibold text-white disabled:opacity-50">
        {pending ? "Saving…" : "Save view"}
      </button>
      <ActionResult state={state} testId="save-view" />
    </form>
  );
}

function EditViewForm({ view, onDone }: { view: SavedViewItem; onDone: () => void }) {
  const router = useRouter();
  const [state, action, pending] = useActionState(updateViewAction.bind(null, view.id), null);
  const [deleting, startDelete] = useTransition();
  const [deleted, setDeleted] = useState<Result | null>(null);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        startTransition(() => action(form));
      }}
      className="mt-3 flex flex-wrap items-center gap-2 border-t border-slate-100 pt-3 text-xs"
      data-testid="edit-view-form"
    >
      <label>
        <span className="sr-only">New name</span>
        <input name="name" defaultValue={view.name} required maxLength={60} className="rounded-md border border-slate-300 px-2 py-1" />
      </label>
      <label className="inline-flex items-center gap-1">
        <input type="checkbox" name="shared" defaultChecked={view.shared} disabled={!view.mine} /> Shared with the team
      </label>
      {!view.mine && <input type="hidden" name="shared" value="on" />}
      <button type="submit" disabled={pending} className="rounded-md bg-slate-800 px-2 py-1 font-semibold text-white disabled:opacity-50">
        {pending ? "Saving…" : "Rename"}
      </button>
      <button
        type="button"
        disabled={deleting}
        data-testid="delete-view"
        className="rounded-md px-2 py-1 font-semibold text-red-700 ring-1 ring-red-300 disabled:opacity-50"
        onClick={() => {
          if (!window.confirm(`Delete the view “${view.name}”?`)) return;
          startDelete(async () => {
            const r = await deleteViewAction(view.id);
            setDeleted(r);
            if (r.ok) {
              onDone();
              router.refresh();
            }
          });
        }}
      >
        Delete
      </button>
      <button type="button" className="text-slate-500 underline" onClick={onDone}>
        Cancel
      </button>
      <ActionResult state={state} testId="edit-view" />
      <ActionResult state={deleted} testId="delete-view" />
    </form>
  );
}
