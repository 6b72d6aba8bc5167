-- Events written in the same transaction as the state change that causes them; the relay
-- publishes them to Kafka in seq order and deletes them once the broker has acknowledged.
create table outbox_event (
    seq         bigserial primary key,
    event_id    text        not null,
    topic       text        not null,
    msg_key     text        not null,
    event_type  text        not null,
    body        bytea       not null,
    created_at  timestamptz not null default now()
);

-- Ids of the events this service has applied, written in the same transaction as their effect,
-- so that a redelivered event is recognised and skipped.
create table processed_event (
    event_id     text        primary key,
    processed_at timestamptz not null default now()
);
create index processed_event_age on processed_event (processed_at);
