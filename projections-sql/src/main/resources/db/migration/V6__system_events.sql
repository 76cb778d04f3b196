-- System events (issue 3): what happened to the platform itself rather than to a tenant: nodes starting and
-- stopping, schema migrations, projection replays, dead letters, unhandled errors. Built by the system_events
-- projection from events published outside any aggregate stream (so they are in the event log, the audit log
-- and the hash chain too). Platform-wide: no organization_id; only the platform operator reads it.

CREATE TABLE system_events (
    id                 uuid         PRIMARY KEY,
    -- global index of the event: the projection's idempotency key and the order of the list (keyset pagination)
    event_global_index bigint       NOT NULL UNIQUE,
    event_identifier   varchar(255) NOT NULL,
    occurred_at        timestamptz  NOT NULL,
    -- the event's name: NodeStarted, NodeStopping, MigrationsApplied, ReplayStarted, ReplayFinished,
    -- EventDeadLettered, UnhandledError
    type               varchar(64)  NOT NULL,
    node_id            varchar(255),
    processor          varchar(255),
    -- EventDeadLettered only: several nodes may report one dead letter, the first report wins
    dead_letter_id     varchar(255),
    correlation_id     varchar(255),
    -- every field of the event
    details            jsonb        NOT NULL
);

CREATE INDEX system_events_type ON system_events (type, event_global_index);
CREATE INDEX system_events_occurred ON system_events (occurred_at);
CREATE UNIQUE INDEX system_events_dead_letter ON system_events (dead_letter_id) WHERE dead_letter_id IS NOT NULL;

-- Row-level security like every read model: the projection writer sees all; celaest_reader sees rows only under
-- the platform scope (the platform operator), never under a tenant.
ALTER TABLE system_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE system_events FORCE ROW LEVEL SECURITY;
CREATE POLICY system_events_writer ON system_events TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY system_events_platform ON system_events FOR SELECT TO celaest_reader USING (
    current_setting('celaest.platform_scope', true) = 'all');
GRANT SELECT ON system_events TO celaest_reader;
