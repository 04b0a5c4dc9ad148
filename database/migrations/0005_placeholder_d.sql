-- Placeholder so 0007 applies on this branch: 0005 is reserved for the change stream (issue 14a).
-- Delete this file when the real 0005 is merged.
SELECT 1;
