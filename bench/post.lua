-- wrk script: POST the GraphQL request in the file named by $BODY_FILE, with the bearer token in
-- $TOKEN when set.
local f = assert(io.open(os.getenv("BODY_FILE"), "r"))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.body = f:read("*a")
f:close()
