-- license_validations gets a row per validation (thousands per second at peak) and would otherwise grow forever:
-- it becomes partitioned by day of validated_at. ValidationRetention (a recurring job) attaches the days ahead
-- and detaches and drops the days older than the retention period: no DELETE of millions of rows, no bloat.
-- Rows no daily partition takes (a node's clock far off, days the job has not prepared yet) land in the default
-- partition instead of failing the validation; the job moves them into their day when it creates it. Rows older
-- than the days created here stay in the default partition until the retention deletes them.
ALTER TABLE license_validations RENAME TO license_validations_v11;
ALTER INDEX license_validations_by_license RENAME TO license_validations_v11_by_license;

-- the same columns (id: time-ordered UUIDv7, unique by construction, no index of its own)
CREATE TABLE license_validations (LIKE license_validations_v11 INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (validated_at);
-- as before: one index for the Licensing Hub's listing and the collision window (index-only); one per partition
CREATE INDEX license_validations_by_license ON license_validations (license_id, validated_at, id) INCLUDE (ip, valid);
CREATE TABLE license_validations_default PARTITION OF license_validations DEFAULT;
-- The days around now exist from the start (named as ValidationRetention names them), so the copy below and the
-- first validations go to their day rather than into the default partition.
DO $$
DECLARE
    day date;
BEGIN
    FOR day IN SELECT generate_series((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 14, '1 day')::date LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF license_validations FOR VALUES FROM (%L) TO (%L)',
                       'license_validations_d' || to_char(day, 'YYYYMMDD'), day::text || ' 00:00:00+00',
                       (day + 1)::text || ' 00:00:00+00');
    END LOOP;
END
$$;

INSERT INTO license_validations SELECT * FROM license_validations_v11;
DROP TABLE license_validations_v11;

ALTER TABLE license_validations ENABLE ROW LEVEL SECURITY;
ALTER TABLE license_validations FORCE ROW LEVEL SECURITY;
CREATE POLICY license_validations_writer ON license_validations TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY license_validations_tenant ON license_validations FOR SELECT TO celaest_reader
    USING (organization_id = nullif(current_setting('celaest.organization_id', true), '')::uuid);
CREATE POLICY license_validations_platform ON license_validations FOR SELECT TO celaest_platform_reader USING (true);
GRANT SELECT ON license_validations TO celaest_reader, celaest_platform_reader;
