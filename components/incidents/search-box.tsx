"use client";
import { useEffect, useId, useState } from "react";

interface Suggestions {
  incidents: { id: string; title: string; customerName: string }[];
}

/** The queue's title search, with type-ahead from the portal's store (the viewer's customers only). */
export function SearchBox({ defaultValue }: { defaultValue: string }) {
  const listId = useId();
  const [q, setQ] = useState(defaultValue);
  const [options, setOptions] = useState<string[]>([]);
  useEffect(() => {
    if (q.trim().length < 2) return;
    const ctrl = new AbortController();
    const timer = setTimeout(async () => {
      const res = await fetch(`/api/search/suggest?q=${encodeURIComponent(q)}`, { signal: ctrl.signal }).catch(() => null);
      if (!res?.ok) return;
      const body = (await res.json()) as Suggestions;
      setOptions([...new Set(body.incidents.map((i) => i.title))]);
    }, 200);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [q]);
  return (
    <>
      <input name="q" value={q} onChange={(e) => setQ(e.target.value)} list={listId} placeholder="e.g. PowerShell" autoComplete="off" className="field" />
      <datalist id={listId} data-testid="search-suggestions">
        {options.map((o) => (
          <option key={o} value={o} />
        ))}
      </datalist>
    </>
  );
}
