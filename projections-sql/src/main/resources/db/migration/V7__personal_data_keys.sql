-- Per-person keys for crypto-shredding (GDPR erasure). Each key is wrapped (AES-GCM) under the master key,
-- which never enters the database. Erasure sets wrapped_key to NULL: the person's data in the event log
-- stays byte-for-byte as it was, but can no longer be read.
CREATE TABLE personal_data_keys (
    subject_id  uuid        PRIMARY KEY,
    wrapped_key bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    erased_at   timestamptz,
    CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
);
