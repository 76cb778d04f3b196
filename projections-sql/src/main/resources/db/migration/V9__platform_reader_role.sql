-- Platform-wide reads (the operator, platform API keys) run as their own role, whose policies let every row
-- through, so the tenant policies no longer need "OR platform scope". An OR of a runtime setting ruined the
-- planner's row estimates on large tables (see docs/benchmarks.md, audit): now a tenant read carries a plain
-- organization_id equality, and a platform read carries no row-security qualifier at all.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'celaest_platform_reader') THEN
        CREATE ROLE celaest_platform_reader NOLOGIN NOINHERIT NOBYPASSRLS;
    END IF;
END
$$;
GRANT celaest_platform_reader TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO celaest_platform_reader;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['organizations', 'users_profile', 'api_keys', 'audit_logs'] LOOP
        EXECUTE format('ALTER POLICY %I ON %I USING ('
                       'organization_id = nullif(current_setting(''celaest.organization_id'', true), '''')::uuid)',
                       t || '_tenant', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO celaest_platform_reader USING (true)',
                       t || '_platform', t);
        EXECUTE format('GRANT SELECT ON %I TO celaest_platform_reader', t);
    END LOOP;
END
$$;

-- System events are platform-wide only: no policy for the tenant reader means no rows for it.
DROP POLICY system_events_platform ON system_events;
CREATE POLICY system_events_platform ON system_events FOR SELECT TO celaest_platform_reader USING (true);
GRANT SELECT ON system_events TO celaest_platform_reader;
