-- The Emit in one statement (issue 18, the Emit call's latency; store/sql/emit-in-one-statement.ts).
-- An Emit that this process has seen the customer's subscriptions for writes its event, its keys
-- and its deliveries in one autocommit statement, fanned out from what it saw, and that statement
-- checks in the database that what it saw is still true: the same live subscriptions, every
-- idempotency key new. When one premise is false, this function raises and the statement writes
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
