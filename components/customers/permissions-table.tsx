export function PermissionsTable({ permissions }: { permissions: { api: string; permission: string; description: string; granted: boolean }[] }) {
  return (
    <table className="w-full text-sm" data-testid="permissions-table">
      <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
        <tr>
          <th className="py-1 pr-3">API</th>
          <th className="py-1 pr-3">Permission</th>
          <th className="py-1">Granted</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {permissions.map((p) => (
          <tr key={`${p.api}/${p.permission}`} data-testid="permission-row">
            <td className="py-2 pr-3 text-slate-700">{p.api}</td>
            <td className="py-2 pr-3">
              <div className="font-mono text-xs">{p.permission}</div>
              <div className="text-xs text-slate-500">{p.description}</div>
            </td>
            <td className="py-2">{p.granted ? <span className="text-emerald-700">✓ Granted</span> : <span className="text-slate-500">Not granted</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
