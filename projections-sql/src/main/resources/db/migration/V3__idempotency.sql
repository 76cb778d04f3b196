-- Stored responses of POSTs sent with an Idempotency-Key (Stripe semantics), per caller.
CREATE TABLE idempotency_keys (
    caller_id       varchar(100) NOT NULL,
    idempotency_key varchar(255) NOT NULL,
    request_hash    bytea        NOT NULL,
    status_code     integer,
    content_type    varchar(200),
    response_body   bytea,
    location        varchar(1000),
    created_at      timestamptz  NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    PRIMARY KEY (caller_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
