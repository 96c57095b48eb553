-- wrk script for bench/h1.ts: HTTP/1.1 pipelining. Each request() is `depth`
-- GETs of the URL's path back to back (wrk -s lib/pipeline.lua URL -- depth);
-- wrk counts every response, so its requests and req/s stay per response.
local depth = 16
local batch

function init(args)
  depth = tonumber(args[1]) or depth
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format()
  end
  batch = table.concat(r)
end

function request()
  return batch
end
