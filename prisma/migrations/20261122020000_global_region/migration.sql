-- Customers whose Defender data region is unknown use Microsoft's global host, which routes to the tenant's region.
ALTER TYPE "Region" ADD VALUE IF NOT EXISTS 'global' BEFORE 'us';
