// Control API under /_sim/ (not part of the emulated surface): inspect and change the directory,
// read request counters. JSON in, JSON out, zod-validated.
//   PUT    /_sim/tenants/{id}/scopes           {resource, scopes}: delegated permissions consented for all users
//   GET    /_sim/tenants/{id}/guests           B2B guests and their Defender role permissions
//   PUT    /_sim/tenants/{id}/guests/{upn}     {defenderRoles?}: invite a user of another tenant, or set its roles
//   DELETE /_sim/tenants/{id}/guests/{upn}     remove the guest
import { z } from "zod";
import type { SimulatorModule } from "./context.ts";
import { DirectoryError, findResource, GUID_RE, type ResourceDefinition } from "./directory.ts";
import { HttpError, json, type SimRequest } from "./http.ts";

const createTenantBody = z.object({
  displayName: z.string().trim().min(1).max(100),
  domain: z.string().trim().toLowerCase().max(253).optional(),
  defenderLicence: z.boolean().default(true),
});

const consentBody = z
  .object({ roles: z.record(z.string(), z.array(z.string())).optional() })
  .optional()
  .transform((v) => v ?? {});

const rolesBody = z.object({ resource: z.string().min(1), roles: z.array(z.string()) });
const userAppRolesBody = z.object({ roles: z.array(z.string()).max(10) });
const scopesBody = z.object({ resource: z.string().min(1), scopes: z.array(z.string()).max(50) });
const guestBody = z
  .object({ defenderRoles: z.array(z.string()).max(10).optional() })
  .optional()
  .transform((v) => v ?? {});

function resourceOrThrow(identifier: string): ResourceDefinition {
  const resource = findResource(identifier);
  if (!resource) throw new HttpError(400, `Unknown resource '${identifier}'`);
  return resource;
}

function validateRoles(resource: ResourceDefinition, roles: readonly string[]): string[] {
  const unknown = roles.filter((r) => !(r in resource.appRoles));
  if (unknown.length > 0) throw new HttpError(400, `Unknown app roles for ${resource.uri}: ${unknown.join(", ")}`);
  return [...roles];
}

export const controlModule: SimulatorModule = (ctx) => {
  const dir = ctx.directory;
  const tenantOr404 = (req: SimRequest) => {
    const id = (req.params.tenantId ?? "").toLowerCase();
    const tenant = GUID_RE.test(id) || id.includes(".") ? dir.findTenant(id) : undefined;
    if (!tenant) throw new HttpError(404, `Tenant '${req.params.tenantId ?? ""}' not found`);
    return tenant;
  };
  const guarded = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof DirectoryError) throw new HttpError(err.status, err.message);
      throw err;
    }
  };

  return [
    { method: "GET", path: "/_sim/health", handler: () => json(200, { status: "ok", url: ctx.baseUrl, clientId: ctx.app.clientId }) },
    { method: "GET", path: "/_sim/directory", handler: () => json(200, dir.view()) },
    {
      method: "POST",
      path: "/_sim/tenants",
      handler: (req) => {
        const body = createTenantBody.parse(req.json());
        const tenant = guarded(() =>
          dir.createTenant({ displayName: body.displayName, defenderLicence: body.defenderLicence, ...(body.domain ? { domain: body.domain } : {}) }),
        );
        return json(201, dir.tenantView(tenant));
      },
    },
    {
      method: "POST",
      path: "/_sim/tenants/:tenantId/consent",
      handler: (req) => {
        const tenant = tenantOr404(req);
        const body = consentBody.parse(req.json());
        let roles: Record<string, string[]>;
        if (body.roles) {
          roles = {};
          for (const [id, list] of Object.entries(body.roles)) {
            const resource = resourceOrThrow(id);
            roles[resource.uri] = validateRoles(resource, list);
          }
        } else {
          roles = dir.allRequiredRoles();
        }
        guarded(() => dir.grantConsent(tenant.id, roles));
        ctx.log(`control: consent granted in ${tenant.displayName}`);
        return json(200, dir.tenantView(tenant));
      },
    },
    {
      method: "DELETE",
      path: "/_sim/tenants/:tenantId/consent",
      handler: (req) => {
        const tenant = tenantOr404(req);
        guarded(() => dir.revokeConsent(tenant.id));
        ctx.log(`control: consent revoked in ${tenant.displayName}`);
        return json(200, dir.tenantView(tenant));
      },
    },
    {
      method: "PUT",
      path: "/_sim/tenants/:tenantId/roles",
      handler: (req) => {
        const tenant = tenantOr404(req);
        const body = rolesBody.parse(req.json());
        const resource = resourceOrThrow(body.resource);
        guarded(() => dir.setGrantedRoles(tenant.id, resource.uri, validateRoles(resource, body.roles)));
        return json(200, dir.tenantView(tenant));
      },
    },
    {
      method: "PUT",
      path: "/_sim/tenants/:tenantId/scopes",
      handler: (req) => {
        const tenant = tenantOr404(req);
        const body = scopesBody.parse(req.json());
        const resource = resourceOrThrow(body.resource);
        const unknown = body.scopes.filter((x) => !(x in resource.delegatedScopes));
        if (unknown.length > 0) throw new HttpError(400, `Unknown delegated permissions for ${resource.uri}: ${unknown.join(", ")}`);
        guarded(() => dir.setGrantedScopes(tenant.id, resource.uri, body.scopes));
        return json(200, dir.tenantView(tenant));
      },
    },
    { method: "GET", path: "/_sim/tenants/:tenantId/guests", handler: (req) => json(200, dir.guestsOf(tenantOr404(req).id)) },
    {
      method: "PUT",
      path: "/_sim/tenants/:tenantId/guests/:upn",
      handler: (req) => {
        const tenant = tenantOr404(req);
        const body = guestBody.parse(req.json());
        const guest = guarded(() => dir.addGuest(tenant.id, req.params.upn ?? "", body.defenderRoles));
        ctx.log(`control: ${guest.upn} is a guest of ${tenant.displayName} with [${guest.defenderRoles.join(", ")}]`);
        return json(200, guest);
      },
    },
    {
      method: "DELETE",
      path: "/_sim/tenants/:tenantId/guests/:upn",
      handler: (req) => {
        const tenant = tenantOr404(req);
        const removed = dir.removeGuest(tenant.id, req.params.upn ?? "");
        if (!removed) throw new HttpError(404, `'${req.params.upn ?? ""}' is not a guest of ${tenant.displayName}`);
        return json(200, { removed: true });
      },
    },
    {
      method: "PUT",
      path: "/_sim/users/:upn/app-roles",
      handler: (req) => {
        const body = userAppRolesBody.parse(req.json());
        const user = guarded(() => dir.setUserAppRoles(req.params.upn ?? "", body.roles));
        ctx.log(`control: app roles of ${user.upn} set to [${user.appRoles.join(", ")}]`);
        return json(200, { upn: user.upn, roles: [...user.appRoles] });
      },
    },
    { method: "GET", path: "/_sim/requests", handler: () => json(200, ctx.counters.snapshot()) },
    {
      method: "POST",
      path: "/_sim/requests/reset",
      handler: () => {
        ctx.counters.reset();
        return json(200, {});
      },
    },
  ];
};
