-- pgbench script: the commune and category of a random point of metropolitan France,
-- by ST_Contains on a table of the published dataset's outlines alone, GiST-indexed
-- (bench/run.sh makes it from `zonage import --postgres`'s tables): PostGIS at its
-- best, without the other published versions that zonage_commune keeps in the same
-- index nor the join to zonage_current. ORDER BY code makes the answer on a border
-- the same every time, as the service's is.
\set ilon random(0, 13000000)
\set ilat random(0, 8800000)
SELECT code, category
  FROM bench_commune
 WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint(-4.8 + :ilon / 1000000.0, 42.3 + :ilat / 1000000.0), 4326))
 ORDER BY code LIMIT 1;
