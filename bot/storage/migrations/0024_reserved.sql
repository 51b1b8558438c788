-- Reserved: 0024 is another branch's migration (migrations are numbered 1..N without gaps).
-- This placeholder only keeps the numbers contiguous on this branch; at the merge the other
-- branch's 0024 replaces it (two files numbered 0024 are refused by storage/migrate.py).
SELECT 1;
