-- The job-service's projection of the account-service's applications (lote.applications): the
-- last application.changed of each, by which task package references are resolved.
create table application_package (
    account     text  not null,
    app_key     text  not null,
    application jsonb not null,
    primary key (account, app_key)
);
