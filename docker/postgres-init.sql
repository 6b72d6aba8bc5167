create database lote_account;
create database lote_pool;
create database lote_job;
create database lote_scheduler;
create database lote_autoscaler;
