-- PLACEHOLDER on branch 'scale' only, so that 0016 applies here: the lead drops it when
-- merging (another branch of issue 21 owns number 0012).
SELECT 1;
