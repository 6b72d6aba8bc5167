-- The job-service's copy of each account's quota of active jobs and job schedules, kept from the
-- account-service's lote.accounts events; an account without a row has Azure's default.
create table account_quota (
    account                    text    primary key,
    active_jobs_and_schedules  integer not null
);
