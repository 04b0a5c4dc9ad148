-- Placeholder so 0007 applies on this branch: 0006 is reserved for shared politeness (issue 14b).
-- Delete this file when the real 0006 is merged.
SELECT 1;
