-- The Emit in one statement (issue 18, the Emit call's latency; store/sql/emit-in-one-statement.ts).
-- An Emit that this process has seen the customer's subscriptions for writes its event, its keys
-- and its deliveries in one autocommit statement, fanned out from what it saw, and that statement
-- checks in the database that what it saw is still true: the same live subscriptions (ids and
-- `posthorn_fan_out_digest`s, below), every idempotency key new. When one premise is false, this function raises and the statement writes
-- nothing; the caller then takes the full path (a transaction that reads and locks first).
--
-- Returns true, or raises SQLSTATE PH001 with `p_premise` as the message. VOLATILE: it is called
-- for its check, so PostgreSQL must neither fold nor skip it.
CREATE FUNCTION posthorn_require(p_true boolean, p_premise text) RETURNS boolean
  LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  IF p_true IS NOT TRUE THEN
    RAISE EXCEPTION USING ERRCODE = 'PH001', MESSAGE = p_premise;
  END IF;
  RETURN true;
END
$$;

-- What an Emit's fan-out and handoff read of a subscription (store/sql/lock-subscriptions-for-fan-out.ts),
-- as one digest: two rows with the same digest fan out and hand off alike. Its premise compares
-- these, not row versions, because claims of a rate-limited subscription update its row
-- (`rate_limit_tat`) all the time without changing its fan-out. (`enabled` and `deleted_at` are
-- the live filter's.) A column that fan-out or the handoff comes to read must be added here.
CREATE FUNCTION posthorn_fan_out_digest(s subscriptions) RETURNS text
  LANGUAGE sql STABLE
AS $$
  SELECT md5(row(s.customer_id, s.endpoint_url, s.event_types, s.ordered, s.secrets, s.signature_scheme,
                 s.rate_limit_per_second, s.rate_limit_burst, s.failing_since)::text)
$$;
