-- wrk script of the load benchmarks (benchmarks/harness.py writes its arguments).
--   wrk ... -s benchmarks/requests.lua URL -- FILE MODE THREADS
-- FILE holds one request a line: METHOD, PATH, bearer TOKEN (may be empty) and BODY (JSON, may
-- be empty), separated by tabs. MODE:
--   random  each request is a line picked at random (clients rotating bearer tokens);
--   cycle   each wrk thread sends its share of the lines in order, round and round;
--   once    each wrk thread sends its share once, then stops (writes that succeed only once).
-- Every request is formatted once, when the thread starts.

local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local requests = {}
local mode = "random"
local position = 0
local answered = 0

function init(args)
  mode = args[2]
  local threads = tonumber(args[3])
  local number = 0
  for line in io.lines(args[1]) do
    local method, path, token, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if mode == "random" or number % threads == id then
      local headers = {}
      if token ~= "" then headers["Authorization"] = "Bearer " .. token end
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      requests[#requests + 1] = wrk.format(method, path, headers, body)
    end
    number = number + 1
  end
  math.randomseed(id * 7919 + 1)
  -- Only "once" reads responses: wrk hands them to Lua only when a response function exists.
  if mode == "once" then response = stop_when_done end
end

function request()
  if mode == "random" then
    return requests[math.random(#requests)]
  end
  position = position % #requests + 1
  return requests[position]
end

function stop_when_done(status, headers, body)
  answered = answered + 1
  if answered >= #requests then
    wrk.thread:stop()
  end
end
