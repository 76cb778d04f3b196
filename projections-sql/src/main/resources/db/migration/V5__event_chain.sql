-- Tamper evidence (issue 3): every stored event is linked into a SHA-256 hash chain in global order, and the
-- chain head is periodically signed (Ed25519) into audit_checkpoints. The signing key never lives in the
-- database. Both tables are platform-wide (not tenant-owned) and only the application's owner role reads
-- them: nothing is granted to celaest_reader.

-- link = SHA-256(previous link || canonical bytes of the event row); consecutive existing rows of
-- domain_event_entry, gaps of the global index skipped. Rows are only ever appended.
CREATE TABLE event_chain (
    global_index     bigint       PRIMARY KEY,
    event_identifier varchar(255) NOT NULL,
    link             bytea        NOT NULL CHECK (octet_length(link) = 32),
    chained_at       timestamptz  NOT NULL DEFAULT now()
);

-- A signed statement "the chain up to position ends with chain_head, at created_at". signed_payload is the
-- exact text (UTF-8) whose bytes the signature covers; key_id is the SHA-256 of the public key (X.509).
CREATE TABLE audit_checkpoints (
    id             bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    position       bigint       NOT NULL,
    chain_head     bytea        NOT NULL CHECK (octet_length(chain_head) = 32),
    created_at     timestamptz  NOT NULL,
    algorithm      varchar(32)  NOT NULL,
    key_id         varchar(64)  NOT NULL,
    signed_payload text         NOT NULL,
    signature      bytea        NOT NULL
);
CREATE INDEX audit_checkpoints_position ON audit_checkpoints (position, id);

REVOKE ALL ON event_chain, audit_checkpoints FROM PUBLIC;
REVOKE ALL ON event_chain, audit_checkpoints FROM celaest_reader;
