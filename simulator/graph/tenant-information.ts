// Graph's cross-tenant look-up (graph-docs tenantrelationship-findtenantinformationbytenantid.md):
//   GET /graph.microsoft.com/v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId='{id}')
// Application permission CrossTenantInformation.ReadBasic.All, held by the caller's own tenant; it answers for any tenant.
import type { SimulatorContext, SimulatorModule } from "../context.ts";
import { apiError, callIds } from "../defender/service.ts";
import { audienceMatches, RESOURCES } from "../directory.ts";
import { json, type SimRequest, type SimResult } from "../http.ts";
import { AccessTokenError } from "../tokens.ts";

const PERMISSION = "CrossTenantInformation.ReadBasic.All";
const FUNCTION_RE = /^findTenantInformationByTenantId\(tenantId='([^']*)'\)$/i;

function findTenantInformation(ctx: SimulatorContext, req: SimRequest): SimResult {
  const ids = callIds(req);
  const match = FUNCTION_RE.exec(decodeURIComponent(req.params.fn ?? ""));
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ""))?.[1];
  if (!bearer) return apiError("graph", ids, 401, "InvalidAuthenticationToken", "Access token is empty.");
  let claims;
  try {
    claims = ctx.verifyAccessToken(bearer, { audience: (aud) => audienceMatches(aud, RESOURCES.graph) });
  } catch (err) {
    if (err instanceof AccessTokenError) return apiError("graph", ids, 401, "InvalidAuthenticationToken", "Access token validation failure.");
    throw err;
  }
  ctx.counters.hit("graph.tenantInformation", claims.tid);
  if (!claims.roles.includes(PERMISSION)) {
    return apiError("graph", ids, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
  }
  if (!match) return apiError("graph", ids, 400, "BadRequest", "Resource not found for the segment 'tenantRelationships'.");
  const tenant = ctx.directory.findTenant(match[1]!);
  // UNCONFIRMED: the page documents only the 200; an unknown tenant is answered as Graph answers a missing resource.
  if (!tenant || !/^[0-9a-f-]{36}$/i.test(match[1]!)) return apiError("graph", ids, 404, "Request_ResourceNotFound", `Tenant '${match[1]}' was not found.`);
  return json(200, {
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.tenantInformation",
    tenantId: tenant.id,
    federationBrandName: null,
    displayName: tenant.displayName,
    defaultDomainName: tenant.domain,
  });
}

export const tenantInformationModule: SimulatorModule = (ctx) => [
  { method: "GET", path: "/graph.microsoft.com/v1.0/tenantRelationships/:fn", handler: (req) => findTenantInformation(ctx, req) },
];
