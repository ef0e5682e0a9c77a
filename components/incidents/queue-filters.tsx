import Link from "next/link";

// The filter form is components/incidents/queue-filter-form.tsx (a client component: the page sends its props, not its markup).
export { QueueFilters } from "./queue-filter-form";

/**
 * `href(page)`: the URL of a page. `totalCapped`: the count stopped at `total` (the data layer's COUNT_CAP), so the
 * last page is not known and a full page (`rowsOnPage`) means there may be a next one.
 */
export function Pagination({
  href,
  page,
  pageSize,
  total,
  totalCapped = false,
  rowsOnPage = 0,
  noun = "result",
}: {
  href: (page: number) => string;
  page: number;
  pageSize: number;
  total: number;
  totalCapped?: boolean;
  rowsOnPage?: number;
  noun?: string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const hasNext = totalCapped ? rowsOnPage === pageSize : page < pages;
  return (
    <nav className="pagination" aria-label="Pagination">
      <span data-testid="result-count">
        {totalCapped
          ? `${total.toLocaleString("en-US")}+ ${noun}s · page ${page}`
          : `${total.toLocaleString("en-US")} ${noun}${total === 1 ? "" : "s"} · page ${page} of ${pages}`}
      </span>
      <span>
        {page > 1 && <Link href={href(page - 1)}>Previous</Link>}
        {hasNext && <Link href={href(page + 1)}>Next</Link>}
      </span>
    </nav>
  );
}

/** Downloads the queue as CSV with the filters on screen (a plain link: the route handler checks the viewer). */
export function ExportLink({ href, truncated, limit }: { href: string; truncated: boolean; limit: number }) {
  return (
    <a href={href} download className="btn-link" data-testid="export-csv">
      Export CSV{truncated ? ` (first ${limit.toLocaleString("en-US")})` : ""}
    </a>
  );
}
