-- wrk script: PUT /v1/dossiers/{id}/sections/contact on random ids, each body different so that
-- every request is a real write (a new section version).
--   wrk ... -s write.lua URL -- IDS_FILE TOKEN PURPOSE
package.path = debug.getinfo(1, "S").source:match("@?(.*/)") .. "?.lua;" .. package.path
require("common")

local counter = 0
local sent = 0

function setup(thread)
  counter = counter + 1
  thread:set("salt", counter)
end

function init(args)
  load_ids(args[1])
  seed(salt or 0)
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  wrk.headers["X-Purpose"] = args[3]
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  local body = string.format(
    '{"adresse":{"lignes":["%d rue des Lilas"],"code_postal":"93200","commune":"Saint-Denis"},' ..
    '"email":"bench.%d.%d@exemple.invalid","telephone":"06%08d","sans_domicile_fixe":false}',
    sent % 200 + 1,
    salt or 0, sent, sent % 100000000)
  return wrk.format("PUT", "/v1/dossiers/" .. random_id() .. "/sections/contact", nil, body)
end
