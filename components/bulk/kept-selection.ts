import { useLayoutEffect, useRef } from "react";
import { ROW_SELECT } from "./row-select";

/**
 * The queue's rows are markup that React replaces whole when it changes (components/incidents/queue-rows-html.ts): a
 * saved view saved on the queue re-renders it, and an SLA's "time left" has moved a minute. This keeps the rows the
 * analyst ticked, as keyed React rows did: the ticked ids are followed through the change events, and ticked again in
 * the new markup while their rows are still on the page. Returns the ref for the table's body.
 */
export function useKeptSelection(markup: string) {
  const body = useRef<HTMLTableSectionElement>(null);
  const ticked = useRef(new Set<string>());
  useLayoutEffect(() => {
    const el = body.current;
    if (!el) return;
    const follow = (e: Event) => {
      const box = e.target;
      if (!(box instanceof HTMLInputElement) || !box.matches(ROW_SELECT)) return;
      if (box.checked) ticked.current.add(box.value);
      else ticked.current.delete(box.value);
    };
    el.addEventListener("change", follow);
    return () => el.removeEventListener("change", follow);
  }, []);
  useLayoutEffect(() => {
    const el = body.current;
    if (!el || ticked.current.size === 0) return;
    const still = new Set<string>();
    for (const box of el.querySelectorAll<HTMLInputElement>(ROW_SELECT)) {
      if (!ticked.current.has(box.value)) continue;
      box.checked = true;
      still.add(box.value);
    }
    ticked.current = still;
    // The bulk panel and "select all" count the ticked rows on change events.
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }, [markup]);
  return body;
}
