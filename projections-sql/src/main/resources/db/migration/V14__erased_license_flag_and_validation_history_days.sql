-- A license whose holder's personal data was erased (POST /licenses/{id}/erase) is cancelled but its key may still
-- be presented: validations of it are recorded without the caller's IP and fingerprint from then on.
ALTER TABLE licenses ADD COLUMN personal_data_erased boolean NOT NULL DEFAULT false;

-- History older than the days V12 created sits in license_validations' default partition, which each day's ATTACH
-- scans under an exclusive lock and which no time-bounded query can prune: those days get partitions of their own
-- (named as ValidationRetention names them, dropped by it when they expire). The default partition is left empty.
DO $$
DECLARE
    day date;
BEGIN
    IF EXISTS (SELECT 1 FROM license_validations_default) THEN
        ALTER TABLE license_validations DETACH PARTITION license_validations_default;
        FOR day IN SELECT DISTINCT (validated_at AT TIME ZONE 'UTC')::date FROM license_validations_default LOOP
            EXECUTE format('CREATE TABLE %I PARTITION OF license_validations FOR VALUES FROM (%L) TO (%L)',
                           'license_validations_d' || to_char(day, 'YYYYMMDD'), day::text || ' 00:00:00+00',
                           (day + 1)::text || ' 00:00:00+00');
        END LOOP;
        INSERT INTO license_validations SELECT * FROM license_validations_default;
        TRUNCATE license_validations_default;
        ALTER TABLE license_validations ATTACH PARTITION license_validations_default DEFAULT;
    END IF;
END
$$;
