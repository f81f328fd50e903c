-- pgbench script: the commune and category of a random point of metropolitan France,
-- by ST_Contains on the GiST-indexed outlines published by `zonage import --postgres`.
\set ilon random(0, 13000000)
\set ilat random(0, 8800000)
SELECT c.code, c.category
  FROM zonage_commune c JOIN zonage_current USING (version)
 WHERE ST_Contains(c.geom, ST_SetSRID(ST_MakePoint(-4.8 + :ilon / 1000000.0, 42.3 + :ilat / 1000000.0), 4326))
 ORDER BY c.code LIMIT 1;
