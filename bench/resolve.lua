-- wrk script: GET /api/v1/resolve for random points of metropolitan France (the
-- same box and distribution as postgis.sql: sea and neighbours included). The
-- environment variable QUERY is appended to each request: empty for the full
-- default answer, "&options=0" for the answer without installation options.
math.randomseed(os.time())
local extra = os.getenv("QUERY") or ""
request = function()
  local lon = -4.8 + math.random() * 13.0
  local lat = 42.3 + math.random() * 8.8
  return wrk.format("GET", string.format("/api/v1/resolve?lat=%.6f&lon=%.6f%s", lat, lon, extra))
end
