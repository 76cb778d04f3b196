-- GDPR erasure of a license (POST /licenses/{id}/erase) sets the values of its bindings to '[erased]': a license
-- then has several bindings of one kind with that same value, and a rebuild from the event log, where they read as
-- erased, inserts them so. A device stays bound at most once per license (the License aggregate decides; this
-- index is the read model's guard) except for erased values. The license's bindings are read by license_id (the
-- validation hot path, the Licensing Hub), which a partial index cannot serve: it gets an index of its own.
ALTER TABLE license_ip_bindings DROP CONSTRAINT license_ip_bindings_license_id_kind_value_key;
CREATE UNIQUE INDEX license_ip_bindings_device ON license_ip_bindings (license_id, kind, value)
    WHERE value <> '[erased]';
CREATE INDEX license_ip_bindings_license ON license_ip_bindings (license_id);
