-- People without a house or household (most of an import, every floating person not yet placed)
-- are left out of the house and household indexes: an import writes two index entries fewer per
-- row. Lookups by house or household (`house_id = …`) imply the column is not null and still use them.
DROP INDEX persons_house;
DROP INDEX persons_household;
CREATE INDEX persons_house ON persons (house_id) WHERE house_id IS NOT NULL;
CREATE INDEX persons_household ON persons (household_id) WHERE household_id IS NOT NULL;
