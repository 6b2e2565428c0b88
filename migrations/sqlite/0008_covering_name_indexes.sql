-- Name and pinyin-initial searches answer from the index alone: status and grid ride along.
DROP INDEX persons_name;
DROP INDEX persons_initials;
CREATE INDEX persons_name ON persons (name, status, grid_id);
CREATE INDEX persons_initials ON persons (name_initials, status, grid_id);
