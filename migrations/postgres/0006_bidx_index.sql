-- Exact lookup by ID number or phone through their blind indexes, whatever the status filter.
CREATE INDEX persons_id_bidx ON persons (id_bidx);
