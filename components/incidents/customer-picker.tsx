"use client";
import { useEffect, useState } from "react";

type Customer = { id: string; displayName: string };

/**
 * The customer filter: chosen customers as removable chips (submitted as `customer` fields), more found by name.
 * Options come from the server as the user types, so the page does not carry every customer of a large partner.
 */
export function CustomerPicker({ selected, placeholder = "All customers — type to pick" }: { selected: Customer[]; placeholder?: string }) {
  const [chosen, setChosen] = useState(selected);
  const [q, setQ] = useState("");
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<Customer[]>([]);
  useEffect(() => {
    if (!open) return;
    const ctrl = new AbortController();
    const timer = setTimeout(async () => {
      const res = await fetch(`/api/search/customers?q=${encodeURIComponent(q)}`, { signal: ctrl.signal }).catch(() => null);
      if (res?.ok) setOptions(((await res.json()) as { customers: Customer[] }).customers);
    }, 150);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [q, open]);
  const available = options.filter((o) => !chosen.some((c) => c.id === o.id));
  return (
    <div className="relative mt-1" data-testid="customer-picker">
      {chosen.map((c) => (
        <input key={c.id} type="hidden" name="customer" value={c.id} />
      ))}
      <div className="flex flex-wrap gap-1">
        {chosen.map((c) => (
          <span key={c.id} className="inline-flex items-center gap-1 rounded bg-slate-100 px-2 py-0.5 text-xs font-normal">
            {c.displayName}
            <button
              type="button"
              aria-label={`Remove ${c.displayName}`}
              className="text-slate-500 hover:text-slate-900"
              onClick={() => setChosen(chosen.filter((x) => x.id !== c.id))}
            >
              ×
            </button>
          </span>
        ))}
      </div>
      <input
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        placeholder={chosen.length ? "Add another customer…" : placeholder}
        aria-label="Find a customer"
        autoComplete="off"
        className="field font-normal"
      />
      {open && available.length > 0 && (
        <ul role="listbox" className="absolute z-10 mt-1 max-h-56 w-full overflow-auto rounded-md bg-white text-sm font-normal shadow-lg ring-1 ring-slate-200">
          {available.map((o) => (
            <li key={o.id} role="option" aria-selected={false}>
              <button
                type="button"
                className="w-full px-2 py-1 text-left hover:bg-slate-100"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => {
                  setChosen([...chosen, o]);
                  setQ("");
                }}
              >
                {o.displayName}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
