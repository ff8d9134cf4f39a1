-- ListDeliveries filters by event type and creation time (issue 13, the customer portal). The
-- portal always lists one customer's deliveries, so both indexes lead with the customer:
-- - by type, in seq order, as the other filters (0001) do: a rare type no longer means reading
--   all of the customer's deliveries to fill a page;
-- - by creation time: a time range (the portal's "last hour") reads the rows in the range and
--   sorts them, instead of walking the customer's whole history to reach the range's end.
-- Two more index entries per delivery written; the claim's and the sweeper's partial indexes
-- stay the hot ones.
CREATE INDEX deliveries_customer_type_seq ON deliveries (customer_id, event_type, seq);
CREATE INDEX deliveries_customer_created ON deliveries (customer_id, created_at);
