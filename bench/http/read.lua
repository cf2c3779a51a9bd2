-- wrk script: GET /v1/dossiers/{id} on random ids.
--   wrk ... -s read.lua URL -- IDS_FILE TOKEN PURPOSE
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
require("common")

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("salt", counter)
end

function init(args)
  load_ids(args[1])
  seed(salt or 0)
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  wrk.headers["X-Purpose"] = args[3]
end

function request()
  return wrk.format("GET", "/v1/dossiers/" .. random_id())
end
