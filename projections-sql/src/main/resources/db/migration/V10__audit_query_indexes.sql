-- Auditor queries at 1M+ rows (docs/benchmarks.md, audit). Every page is "the filter, in global-index order,
-- LIMIT n": it is fast when an index gives the matching rows already in that order, and when the query knows
-- where in the log those rows start and end (AuditLogSql probes that first, from the same indexes).

-- action + outcome (across tenants, and within one tenant), each ending with the keyset. They replace the
-- (action, event_global_index) index: an action-only filter probes both outcomes (the CHECK allows two).
CREATE INDEX audit_logs_action_outcome ON audit_logs (action, outcome, event_global_index);
CREATE INDEX audit_logs_organization_action_outcome ON audit_logs (organization_id, action, outcome, event_global_index);
DROP INDEX audit_logs_action;
-- A tenant's auditor filtering by actor: actor_id alone spans tenants (the platform operator acts in every one),
-- and walking either single-column index for a rare (tenant, actor) pair reads hundreds of rows per page.
CREATE INDEX audit_logs_organization_actor ON audit_logs (organization_id, actor_id, event_global_index);

-- from/to become a global-index range. Time and global index rise together in the log, but not strictly (an
-- event's time is taken before its global index), so the range comes from a per-hour summary that holds, for
-- every hour of occurred_at, the smallest and the largest global index of its rows. Rows with occurred_at >= from
-- lie at or after the smallest first_index of the hours from from's hour on; rows with occurred_at < to lie at
-- or before the largest last_index of the hours up to to's hour. The occurred_at conditions stay in the query,
-- so the range only narrows the scan and the result is exactly the rows of [from, to).
-- hour = floor(epoch seconds / 3600), independent of the session's time zone.
CREATE TABLE audit_log_hours (
    hour        bigint PRIMARY KEY,
    first_index bigint NOT NULL,
    last_index  bigint NOT NULL
);

INSERT INTO audit_log_hours (hour, first_index, last_index)
SELECT floor(extract(epoch FROM occurred_at) / 3600)::bigint, min(event_global_index), max(event_global_index)
FROM audit_logs
GROUP BY 1;

-- Kept by the database itself, whoever inserts (the projection, a test, a bulk load): once per INSERT statement
-- (the projection's JDBC batches are rewritten into multi-row statements), over the statement's new rows.
CREATE FUNCTION audit_log_hours_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log_hours AS h (hour, first_index, last_index)
    SELECT floor(extract(epoch FROM occurred_at) / 3600)::bigint, min(event_global_index), max(event_global_index)
    FROM inserted
    GROUP BY 1
    ORDER BY 1 -- the same lock order in every transaction
    ON CONFLICT (hour) DO UPDATE
        SET first_index = least(h.first_index, excluded.first_index),
            last_index  = greatest(h.last_index, excluded.last_index)
        WHERE excluded.first_index < h.first_index OR excluded.last_index > h.last_index;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_log_hours_add AFTER INSERT ON audit_logs
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION audit_log_hours_add();

-- A replay truncates the audit log: the summary goes with it. (A DELETE leaves the summary wider than the rows:
-- still a correct, only looser, range.)
CREATE FUNCTION audit_log_hours_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE audit_log_hours;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_log_hours_clear AFTER TRUNCATE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_hours_clear();

-- The summary is only right while a row's time and global index never change: the projection never updates them.
CREATE FUNCTION audit_logs_keep_position() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_logs.occurred_at and event_global_index never change (row %)', OLD.id;
END
$$;
CREATE TRIGGER audit_logs_keep_position BEFORE UPDATE OF occurred_at, event_global_index ON audit_logs
    FOR EACH ROW WHEN (OLD.occurred_at IS DISTINCT FROM NEW.occurred_at
                       OR OLD.event_global_index IS DISTINCT FROM NEW.event_global_index)
    EXECUTE FUNCTION audit_logs_keep_position();

-- Read in the reader's own transaction (no organization data in it: hours and global-index positions).
GRANT SELECT ON audit_log_hours TO celaest_reader, celaest_platform_reader;

-- No query filters on occurred_at through an index any more: from/to are a global-index range now.
DROP INDEX audit_logs_occurred;

ANALYZE audit_logs;
ANALYZE audit_log_hours;
