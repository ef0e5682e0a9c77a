/** A tenant, object or row id as Microsoft and the portal write it: a GUID, any case. Pure (browser and server). */
export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
