-- The partial unique index (id_type, id_bidx) serves exact lookups; a second index on the same random key only slowed writes.
DROP INDEX persons_id_bidx;
