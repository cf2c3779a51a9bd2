-- wrk script: GET /healthz, no authentication, policy, store or audit entry: what the gateway's
-- HTTP and TLS stack alone serves, the ceiling of every other figure.
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
require("common")

function request()
  return wrk.format("GET", "/healthz")
end
