-- Identity (seed document §1): write-side uniqueness tables, read models, and row-level security.

-- The role every tenant-scoped read runs as (SET LOCAL ROLE), so that row-level security holds even when the
-- application connects as a superuser or as the tables' owner.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'celaest_reader') THEN
        CREATE ROLE celaest_reader NOLOGIN NOINHERIT NOBYPASSRLS;
    END IF;
END
$$;
GRANT celaest_reader TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO celaest_reader;

-- Written in the same transaction as the OrganizationCreated event: the unique key makes concurrent
-- creations of one slug fail for all but the first.
CREATE TABLE organization_slugs (
    slug            varchar(63) PRIMARY KEY,
    organization_id uuid        NOT NULL UNIQUE,
    reserved_at     timestamptz NOT NULL DEFAULT now()
);

-- Credentials of API keys: only a SHA-256 hash of the secret, written with the ApiKeyCreated event.
CREATE TABLE api_key_credentials (
    key_hash        bytea       PRIMARY KEY,
    key_id          uuid        NOT NULL UNIQUE,
    organization_id uuid        NOT NULL,
    scopes          text[]      NOT NULL,
    expires_at      timestamptz,
    revoked_at      timestamptz,
    last_used_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_key_credentials_organization ON api_key_credentials (organization_id);

CREATE TABLE organizations (
    id                      uuid         PRIMARY KEY,
    organization_id         uuid         GENERATED ALWAYS AS (id) STORED,
    name                    varchar(200) NOT NULL,
    slug                    varchar(63)  NOT NULL UNIQUE,
    plan                    varchar(32)  NOT NULL CHECK (plan IN ('starter', 'professional', 'enterprise')),
    status                  varchar(16)  NOT NULL CHECK (status IN ('active', 'suspended', 'deleted')),
    max_users               integer      NOT NULL CHECK (max_users >= -1),
    max_api_calls_per_month bigint       NOT NULL CHECK (max_api_calls_per_month >= -1),
    active_users            integer      NOT NULL DEFAULT 0,
    settings                jsonb        NOT NULL DEFAULT '{}'::jsonb,
    onboarding_completed    boolean      NOT NULL DEFAULT false,
    suspension_reason       varchar(500),
    created_at              timestamptz  NOT NULL,
    updated_at              timestamptz  NOT NULL,
    deleted_at              timestamptz,
    last_event_sequence     bigint       NOT NULL
);
CREATE INDEX organizations_listing ON organizations (created_at, id) WHERE deleted_at IS NULL;

CREATE TABLE users_profile (
    id                  uuid         PRIMARY KEY,
    organization_id     uuid         NOT NULL,
    email               varchar(320) NOT NULL,
    full_name           varchar(200) NOT NULL,
    role                varchar(16)  NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    scopes              text[]       NOT NULL DEFAULT '{}',
    is_active           boolean      NOT NULL DEFAULT true,
    created_at          timestamptz  NOT NULL,
    updated_at          timestamptz  NOT NULL,
    deactivated_at      timestamptz,
    last_event_sequence bigint       NOT NULL
);
CREATE INDEX users_profile_listing ON users_profile (organization_id, created_at, id);
CREATE INDEX users_profile_email ON users_profile (organization_id, lower(email));

CREATE TABLE api_keys (
    id                  uuid         PRIMARY KEY,
    organization_id     uuid         NOT NULL,
    name                varchar(200) NOT NULL,
    prefix              varchar(32)  NOT NULL,
    scopes              text[]       NOT NULL,
    expires_at          timestamptz,
    created_at          timestamptz  NOT NULL,
    updated_at          timestamptz  NOT NULL,
    revoked_at          timestamptz,
    last_used_at        timestamptz,
    last_event_sequence bigint       NOT NULL
);
CREATE INDEX api_keys_listing ON api_keys (organization_id, created_at, id);

-- Row-level security: enabled and forced on every tenant-owned read table. The projection writer (the
-- migrating role) sees everything; celaest_reader sees only the tenant set for the current transaction,
-- or every tenant when the platform scope is set. Without tenant context it sees nothing.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['organizations', 'users_profile', 'api_keys'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t || '_writer', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO celaest_reader USING ('
                       'organization_id = nullif(current_setting(''celaest.organization_id'', true), '''')::uuid '
                       'OR current_setting(''celaest.platform_scope'', true) = ''all'')', t || '_tenant', t);
        EXECUTE format('GRANT SELECT ON %I TO celaest_reader', t);
    END LOOP;
END
$$;
