-- Axon's JDBC event store, token store, saga store and dead-letter queue, owned by Flyway.
-- Payloads are bytea (never large objects); the global index has its own sequence, CACHE 1 so that
-- indexes are handed out in commit-friendly order across sessions.

CREATE SEQUENCE event_global_index_seq AS bigint START WITH 1 INCREMENT BY 1 CACHE 1;

CREATE TABLE domain_event_entry (
    global_index         bigint       NOT NULL DEFAULT nextval('event_global_index_seq'),
    aggregate_identifier varchar(255) NOT NULL,
    sequence_number      bigint       NOT NULL,
    type                 varchar(255),
    event_identifier     varchar(255) NOT NULL,
    meta_data            bytea,
    payload              bytea        NOT NULL,
    payload_revision     varchar(255),
    payload_type         varchar(255) NOT NULL,
    time_stamp           varchar(255) NOT NULL,
    CONSTRAINT domain_event_entry_pkey PRIMARY KEY (global_index),
    CONSTRAINT domain_event_entry_aggregate_sequence_key UNIQUE (aggregate_identifier, sequence_number),
    CONSTRAINT domain_event_entry_event_identifier_key UNIQUE (event_identifier)
);
ALTER SEQUENCE event_global_index_seq OWNED BY domain_event_entry.global_index;

CREATE TABLE snapshot_event_entry (
    aggregate_identifier varchar(255) NOT NULL,
    sequence_number      bigint       NOT NULL,
    type                 varchar(255) NOT NULL,
    event_identifier     varchar(255) NOT NULL,
    meta_data            bytea,
    payload              bytea        NOT NULL,
    payload_revision     varchar(255),
    payload_type         varchar(255) NOT NULL,
    time_stamp           varchar(255) NOT NULL,
    CONSTRAINT snapshot_event_entry_pkey PRIMARY KEY (aggregate_identifier, sequence_number),
    CONSTRAINT snapshot_event_entry_event_identifier_key UNIQUE (event_identifier)
);

CREATE TABLE token_entry (
    processor_name varchar(255) NOT NULL,
    segment        integer      NOT NULL,
    token          bytea,
    token_type     varchar(255),
    time_stamp     varchar(255),
    owner          varchar(255),
    CONSTRAINT token_entry_pkey PRIMARY KEY (processor_name, segment)
);

-- Saga store and dead-letter queue keep Axon's default (unquoted, so lower-cased) names.
CREATE TABLE sagaentry (
    sagaid         varchar(255) NOT NULL PRIMARY KEY,
    revision       varchar(255),
    sagatype       varchar(255),
    serializedsaga bytea
);

CREATE TABLE associationvalueentry (
    id               bigserial    NOT NULL PRIMARY KEY,
    associationkey   varchar(255),
    associationvalue varchar(255),
    sagatype         varchar(255),
    sagaid           varchar(255)
);
CREATE INDEX associationvalueentry_lookup ON associationvalueentry (sagatype, associationkey, associationvalue);
CREATE INDEX associationvalueentry_saga ON associationvalueentry (sagaid, sagatype);

CREATE TABLE deadletterentry (
    deadletteridentifier varchar(255)  NOT NULL,
    processinggroup      varchar(255)  NOT NULL,
    sequenceidentifier   varchar(255)  NOT NULL,
    sequenceindex        bigint        NOT NULL,
    messagetype          varchar(255)  NOT NULL,
    eventidentifier      varchar(255)  NOT NULL,
    "timestamp"          varchar(255)  NOT NULL,
    payloadtype          varchar(255)  NOT NULL,
    payloadrevision      varchar(255),
    payload              bytea         NOT NULL,
    metadata             bytea,
    type                 varchar(255),
    aggregateidentifier  varchar(255),
    sequencenumber       bigint,
    tokentype            varchar(255),
    token                bytea,
    enqueuedat           varchar(255)  NOT NULL,
    lasttouched          varchar(255),
    processingstarted    varchar(255),
    causetype            varchar(255),
    causemessage         varchar(1023),
    diagnostics          bytea,
    CONSTRAINT deadletterentry_pkey PRIMARY KEY (deadletteridentifier),
    CONSTRAINT deadletterentry_sequence_index_key UNIQUE (processinggroup, sequenceidentifier, sequenceindex)
);
CREATE INDEX deadletterentry_processing_group ON deadletterentry (processinggroup);
CREATE INDEX deadletterentry_sequence ON deadletterentry (processinggroup, sequenceidentifier);
