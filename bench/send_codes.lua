-- Prepares registrations for bench/run.sh: asks for an email code for the
-- addresses OFFSET+1 … OFFSET+N of each thread (test addresses: a fixed code,
-- no mail, no limits), then that thread stops (wrk itself still waits out its
-- -d, so run.sh asks in short chunks). The addresses are those wrk.lua's
-- `register` mode posts. Arguments after `--`: PREFIX N OFFSET.

local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
end

local prefix, limit, offset
local counter, answered = 0, 0

function init(args)
  prefix = args[1]
  limit = tonumber(args[2])
  offset = tonumber(args[3])
end

function request()
  counter = counter + 1
  local address = prefix .. "-" .. tid .. "-" .. (offset + counter) .. "@example.com"
  return wrk.format("GET", "/email_codes/" .. address .. "/?send_type=register")
end

function response(status, headers, body)
  answered = answered + 1
  if answered >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d non2xx=%d socket_errors=%d\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
