-- The wrk script of bench/run.sh's scenarios whose requests change from one to
-- the next, chosen by its first argument (after `--`); a prefix keeps names of
-- one run apart from another's. done() prints one machine-readable RESULT line
-- (plain.lua does the same for fixed requests, without a request() to call).
--   count  PREFIX         GET /usernames/<new name>/count/
--   login  USER PASSWORD  POST /authorizations/ (form)
--   register PREFIX       POST /users/ (JSON) for the addresses send_codes.lua prepared, in the same order

local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
end

local mode, a1, a2
local counter = 0

function init(args)
  mode = args[1]
  a1 = args[2]
  a2 = args[3]
  if mode == "login" then
    login_body = "username=" .. a1 .. "&password=" .. a2
  end
end

local function address(i)
  return a1 .. "-" .. tid .. "-" .. i .. "@example.com"
end

function request()
  counter = counter + 1
  if mode == "count" then
    return wrk.format("GET", "/usernames/" .. a1 .. tid .. "n" .. counter .. "/count/")
  elseif mode == "login" then
    return wrk.format("POST", "/authorizations/",
      { ["Content-Type"] = "application/x-www-form-urlencoded" }, login_body)
  elseif mode == "register" then
    local body = string.format(
      '{"username":"%s","password":"bench-password-1","password2":"bench-password-1",' ..
      '"email":"%s","email_code":"135790","allow":true}',
      a1 .. tid .. "n" .. counter, address(counter))
    return wrk.format("POST", "/users/", { ["Content-Type"] = "application/json" }, body)
  end
  error("unknown mode " .. tostring(mode))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
