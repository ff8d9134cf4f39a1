-- Trace context of events (issue 17): the W3C Trace Context headers of the Emit that stored the
-- event (its SERVER span's, or the caller's own with tracing off), sent with every attempt so a
-- receiver can join the trace. NULL: none (events stored before this version, or an Emit without
-- a trace). Adding a nullable column without a default rewrites no rows.
ALTER TABLE events ADD COLUMN traceparent text;
ALTER TABLE events ADD COLUMN tracestate text;
