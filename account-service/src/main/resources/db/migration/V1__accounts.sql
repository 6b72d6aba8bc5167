create table account (
    name          text        primary key,
    primary_key   text        not null,
    secondary_key text        not null,
    created_at    timestamptz not null default now()
);
