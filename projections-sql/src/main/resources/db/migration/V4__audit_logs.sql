-- Audit log (seed document §10, issue 3): one row per event of the event log, built by the audit_logs
-- projection from the event and its metadata. Denied and rejected attempts are events too (AccessDenied,
-- CommandRejected), so they are rows here as well. No secret, token, key or hash is ever copied in.

CREATE TABLE audit_logs (
    id                 uuid         PRIMARY KEY,
    -- global index of the event in domain_event_entry: the idempotency key of the projection and the
    -- order of the log (pagination is keyset on it)
    event_global_index bigint       NOT NULL UNIQUE,
    event_identifier   varchar(255) NOT NULL,
    occurred_at        timestamptz  NOT NULL,
    -- the tenant the event concerns (for identity events the organization in the payload); null for
    -- platform-level events (e.g. a denied request from an unknown caller)
    organization_id    uuid,
    actor_id           varchar(255),
    actor_kind         varchar(32)  NOT NULL CHECK (actor_kind IN ('user', 'api_key', 'platform_admin', 'system', 'anonymous')),
    action             varchar(32)  NOT NULL,
    resource_type      varchar(64)  NOT NULL,
    resource_id        varchar(255),
    outcome            varchar(16)  NOT NULL CHECK (outcome IN ('success', 'failure')),
    failure_reason     varchar(1000),
    client_ip          varchar(64),
    user_agent         varchar(500),
    correlation_id     varchar(255),
    event_type         varchar(255) NOT NULL,
    changes            jsonb
);

-- Every filter of GET /api/v1/audit-logs, each ending with the pagination key so that a filtered page is an
-- index range scan.
CREATE INDEX audit_logs_organization ON audit_logs (organization_id, event_global_index);
CREATE INDEX audit_logs_actor ON audit_logs (actor_id, event_global_index);
CREATE INDEX audit_logs_resource ON audit_logs (resource_type, resource_id, event_global_index);
CREATE INDEX audit_logs_action ON audit_logs (action, event_global_index);
CREATE INDEX audit_logs_failures ON audit_logs (event_global_index) WHERE outcome = 'failure';
CREATE INDEX audit_logs_occurred ON audit_logs (occurred_at);

-- Row-level security, the same pattern as the identity read models (V2): the projection writer sees all,
-- celaest_reader sees the tenant of the transaction, or everything under the platform scope.
ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_logs_writer ON audit_logs TO CURRENT_USER USING (true) WITH CHECK (true);
CREATE POLICY audit_logs_tenant ON audit_logs FOR SELECT TO celaest_reader USING (
    organization_id = nullif(current_setting('celaest.organization_id', true), '')::uuid
    OR current_setting('celaest.platform_scope', true) = 'all');
GRANT SELECT ON audit_logs TO celaest_reader;
