/** While the stored incident is read (the live refresh from Microsoft has its own boundary in the page). */
export default function Loading() {
  return (
    <p role="status" className="py-12 text-center text-sm text-slate-500" data-testid="incident-loading">
      Loading the incident…
    </p>
  );
}
