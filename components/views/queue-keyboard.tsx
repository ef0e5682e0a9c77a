"use client";
import { useEffect, useState } from "react";

const SHORTCUTS: [string, string][] = [
  ["j", "Next row"],
  ["k", "Previous row"],
  ["o or Enter", "Open the focused row"],
  ["x", "Select or unselect the focused row"],
  ["?", "Show or hide these shortcuts"],
];

/** Keys typed into a field, a select or an editable element belong to it, not to the queue. */
function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
}

/**
 * Keyboard navigation of a queue (issue #10 §5): j/k move the focused row, o or Enter open it, x toggles the row's
 * checkbox (any checkbox in the row: bulk triage adds them), ? lists the shortcuts. The focused row gets a visible
 * ring and real focus, so screen readers follow it too. No dependency: one keydown listener on the document.
 */
export function QueueKeyboard({ rowSelector }: { rowSelector: string }) {
  const [help, setHelp] = useState(false);
  useEffect(() => {
    let index = -1;
    const rows = () => Array.from(document.querySelectorAll<HTMLElement>(rowSelector));
    const focus = (next: number) => {
      const all = rows();
      if (all.length === 0) return;
      const i = Math.max(0, Math.min(all.length - 1, next));
      for (const r of all) {
        r.removeAttribute("data-kb-focused");
        r.style.outline = "";
      }
      const row = all[i]!;
      index = i;
      row.tabIndex = -1;
      row.setAttribute("data-kb-focused", "true");
      row.style.outline = "2px solid rgb(29 78 216)";
      row.style.outlineOffset = "-2px";
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    };
    const current = (): HTMLElement | null => {
      const all = rows();
      const marked = all.findIndex((r) => r.hasAttribute("data-kb-focused"));
      if (marked >= 0) index = marked;
      return index >= 0 ? (all[index] ?? null) : null;
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) return;
      const row = current();
      switch (e.key) {
        case "j":
          e.preventDefault();
          focus(row ? index + 1 : 0);
          break;
        case "k":
          e.preventDefault();
          focus(row ? index - 1 : 0);
          break;
        case "o":
        case "Enter": {
          // Enter on a focused link or button is theirs; on the row (or nothing) it opens the row.
          if (e.key === "Enter" && e.target !== row && e.target !== document.body) return;
          const link = row?.querySelector<HTMLAnchorElement>("a[href]");
          if (!link) return;
          e.preventDefault();
          link.click();
          break;
        }
        case "x": {
          const box = row?.querySelector<HTMLInputElement>('input[type="checkbox"]');
          if (!box) return;
          e.preventDefault();
          box.click();
          break;
        }
        case "?":
          e.preventDefault();
          setHelp((h) => !h);
          break;
        case "Escape":
          setHelp(false);
          break;
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [rowSelector]);
  return (
    <div className="relative mb-2 flex justify-end">
      <button
        type="button"
        className="text-xs text-slate-500 underline hover:text-slate-900"
        aria-expanded={help}
        data-testid="shortcuts-toggle"
        onClick={() => setHelp((h) => !h)}
      >
        Keyboard shortcuts (?)
      </button>
      {help && (
        <div
          role="dialog"
          aria-label="Keyboard shortcuts"
          data-testid="shortcuts-help"
          className="absolute right-0 top-6 z-10 w-72 rounded-lg bg-white p-4 text-sm shadow-lg ring-1 ring-slate-200"
        >
          <dl className="space-y-1">
            {SHORTCUTS.map(([k, what]) => (
              <div key={k} className="flex justify-between gap-4">
                <dt>
                  <kbd className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">{k}</kbd>
                </dt>
                <dd className="text-slate-600">{what}</dd>
              </div>
            ))}
          </dl>
          <p className="mt-2 text-xs text-slate-500">Ignored while typing in a field. Esc closes this.</p>
        </div>
      )}
    </div>
  );
}
