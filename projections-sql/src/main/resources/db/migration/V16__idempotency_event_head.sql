-- The event log's head when an idempotent request began: after a crash, a retry of a request that never
-- completed looks from there for events the request caused (its Idempotency-Key is in their metadata), to tell
-- "applied, answer lost" from "never applied" without scanning the whole log. NULL for older rows.
ALTER TABLE idempotency_keys ADD COLUMN event_head bigint;
