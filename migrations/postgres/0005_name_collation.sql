-- Prefix searches on names and pinyin initials are range scans, which need byte order (C collation).
ALTER TABLE persons ALTER COLUMN name TYPE TEXT COLLATE "C";
ALTER TABLE persons ALTER COLUMN name_initials TYPE TEXT COLLATE "C";
