-- The table bench/postgis.sql queries: the outlines of the dataset zonage_current
-- points to, alone, GiST-indexed, laid out in the index's order and analysed.
DROP TABLE IF EXISTS bench_commune;
CREATE TABLE bench_commune AS
  SELECT c.code, c.category, c.geom
    FROM zonage_commune c JOIN zonage_current USING (version);
CREATE INDEX bench_commune_geom ON bench_commune USING gist (geom);
CLUSTER bench_commune USING bench_commune_geom;
ANALYZE bench_commune;
