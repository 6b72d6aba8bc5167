-- The W3C traceparent of the span that wrote the event (null when traces are off); the relay
-- sends it as the record's traceparent header, so the consumer continues the trace.
alter table outbox_event add column traceparent text;
