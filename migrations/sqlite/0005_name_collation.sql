-- Text ranges on names and pinyin initials need byte order: nothing to change on SQLite (BINARY).
SELECT 1;
