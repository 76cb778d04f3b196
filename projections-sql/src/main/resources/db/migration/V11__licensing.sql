-- Licensing (seed document §2): plans, licenses, bindings, collisions, validations, usage; and the table of the
-- persistent scheduler (db-scheduler) that runs license expiry deadlines and binding clean-up across restarts.
--
-- licenses, license_ip_bindings, license_collisions and license_usage_log are written in the same transaction as
-- the events that change them (a subscribing projection): the validation hot path and the organization's admin
-- read them right after a write, on any node, without waiting for an asynchronous projection.

CREATE TABLE subscription_plans (
    code                varchar(64)  PRIMARY KEY,
    name                varchar(200) NOT NULL,
    billing_cycle       varchar(16)  NOT NULL CHECK (billing_cycle IN ('monthly', 'yearly', 'one-time')),
    price               numeric(14, 2) NOT NULL CHECK (price >= 0),
    currency            char(3)      NOT NULL,
    limits              jsonb        NOT NULL,
    created_at          timestamptz  NOT NULL,
    updated_at          timestamptz  NOT NULL,
    last_event_sequence bigint       NOT NULL
);
-- Plans are the catalogue, not tenant data: every authenticated caller may read them.
GRANT SELECT ON subscription_plans TO celaest_reader, celaest_platform_reader;

-- Written with the LicenseIssued event: the unique hash makes a (astronomically unlikely) duplicate key fail.
CREATE TABLE license_keys (
    key_hash        bytea       PRIMARY KEY,
    license_id      uuid        NOT NULL UNIQUE,
    organization_id uuid        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE licenses (
    id                  uuid         PRIMARY KEY,
    organization_id     uuid         NOT NULL,
    key_hint            varchar(16)  NOT NULL,
    plan_code           varchar(64)  NOT NULL,
    product_id          uuid,
    type                varchar(16)  NOT NULL CHECK (type IN ('perpetual', 'subscription', 'trial')),
    status              varchar(16)  NOT NULL
                        CHECK (status IN ('trial', 'active', 'suspended', 'expired', 'cancelled')),
    expires_at          timestamptz,
    custom_limits       jsonb        NOT NULL DEFAULT '{}'::jsonb,
    suspension_reason   varchar(500),
    created_at          timestamptz  NOT NULL,
    updated_at          timestamptz  NOT NULL,
    last_event_sequence bigint       NOT NULL
);
CREATE INDEX licenses_listing ON licenses (organization_id, created_at, id);
CREATE INDEX licenses_expiring ON licenses (organization_id, expires_at) WHERE expires_at IS NOT NULL;
-- Each node polls for licenses changed since its last look, to drop its cached copies (validation hot path).
CREATE INDEX licenses_changed ON licenses (updated_at);

CREATE TABLE license_ip_bindings (
    id              uuid         PRIMARY KEY,
    license_id      uuid         NOT NULL,
    organization_id uuid         NOT NULL,
    kind            varchar(16)  NOT NULL CHECK (kind IN ('ip', 'fingerprint')),
    value           varchar(256) NOT NULL,
    manual          boolean      NOT NULL,
    created_at      timestamptz  NOT NULL,
    -- operational, not an event: refreshed by validations (coarsely) to release bindings unused for the TTL
    last_used_at    timestamptz  NOT NULL,
    UNIQUE (license_id, kind, value)
);
CREATE INDEX license_ip_bindings_last_used ON license_ip_bindings (last_used_at);

CREATE TABLE license_collisions (
    id                 uuid         PRIMARY KEY,
    license_id         uuid         NOT NULL,
    organization_id    uuid         NOT NULL,
    ips                text[]       NOT NULL,
    window_start       timestamptz  NOT NULL,
    window_end         timestamptz  NOT NULL,
    max_concurrent_ips integer      NOT NULL,
    policy             varchar(16)  NOT NULL CHECK (policy IN ('flag', 'block')),
    detected_at        timestamptz  NOT NULL,
    resolved_at        timestamptz,
    resolution_note    varchar(500)
);
CREATE INDEX license_collisions_listing ON license_collisions (license_id, detected_at, id);

-- One row per validation, written (in batches) before the answer is sent; not events, so a validation that
-- changes nothing does not grow the license's stream. Unknown keys have no license and no organization.
CREATE TABLE license_validations (
    id              uuid         NOT NULL,  -- time-ordered (UUIDv7); unique by construction, no index of its own
    license_id      uuid,
    organization_id uuid,
    validated_at    timestamptz  NOT NULL,
    ip              varchar(64)  NOT NULL,
    fingerprint     varchar(256),
    product_id      uuid,
    code            varchar(32)  NOT NULL,
    valid           boolean      NOT NULL
);
-- One index serves both the Licensing Hub's newest-first listing and the collision window's "which IPs used
-- this license recently" (index-only). Every index costs each of the many inserts: keep it to one.
CREATE INDEX license_validations_by_license ON license_validations (license_id, validated_at, id) INCLUDE (ip, valid);

CREATE TABLE license_usage_log (
    id              uuid         PRIMARY KEY,  -- the UsageRecorded event's identifier: replays are idempotent
    license_id      uuid         NOT NULL,
    organization_id uuid         NOT NULL,
    metric          varchar(32)  NOT NULL,
    quantity        bigint       NOT NULL CHECK (quantity > 0),
    period          char(7)      NOT NULL,
    used_after      bigint       NOT NULL,
    usage_limit     bigint       NOT NULL,
    recorded_at     timestamptz  NOT NULL
);
CREATE INDEX license_usage_log_period ON license_usage_log (license_id, period, metric);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['licenses', 'license_ip_bindings', 'license_collisions', 'license_validations',
                             'license_usage_log'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t || '_writer', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO celaest_reader USING ('
                       'organization_id = nullif(current_setting(''celaest.organization_id'', true), '''')::uuid)',
                       t || '_tenant', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO celaest_platform_reader USING (true)',
                       t || '_platform', t);
        EXECUTE format('GRANT SELECT ON %I TO celaest_reader, celaest_platform_reader', t);
    END LOOP;
END
$$;

-- db-scheduler's table (PostgreSQL schema of db-scheduler 15+): Axon's DbSchedulerDeadlineManager keeps license
-- expiry deadlines here, and recurring jobs run on one node at a time.
CREATE TABLE scheduled_tasks (
    task_name            text                     NOT NULL,
    task_instance        text                     NOT NULL,
    task_data            bytea,
    execution_time       timestamp with time zone NOT NULL,
    picked               boolean                  NOT NULL,
    picked_by            text,
    last_success         timestamp with time zone,
    last_failure         timestamp with time zone,
    consecutive_failures integer,
    last_heartbeat       timestamp with time zone,
    version              bigint                   NOT NULL,
    priority             smallint,
    PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX scheduled_tasks_execution_time ON scheduled_tasks (execution_time);
CREATE INDEX scheduled_tasks_last_heartbeat ON scheduled_tasks (last_heartbeat);
CREATE INDEX scheduled_tasks_priority_execution_time ON scheduled_tasks (priority DESC, execution_time ASC);
