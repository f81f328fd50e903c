-- wrk script: GET /api/v1/resolve for random points of metropolitan France (the
-- same box and distribution as postgis.sql), without the installation options, so
-- that both sides answer "which commune, which category".
math.randomseed(os.time())
request = function()
  local lon = -4.8 + math.random() * 13.0
  local lat = 42.3 + math.random() * 8.8
  return wrk.format("GET", string.format("/api/v1/resolve?lat=%.6f&lon=%.6f&options=0", lat, lon))
end
