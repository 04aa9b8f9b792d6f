-- wrk script for the soak: per connection, three reads (districts, a search, the Kitas of a
-- district) for every write (a new staffing idea); counts answers with GraphQL errors, which
-- wrk alone would take for successes.
local token = os.getenv("TOKEN")
local reads = {
  '{"query":"{ districts { ags name } }"}',
  '{"query":"{ search(query: \\"Springer\\", first: 5) { totalCount } }"}',
  '{"query":"{ kitas(first: 20) { edges { node { name places } } } }"}',
}
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init()
  n = 0
  errors = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
end
function request()
  n = n + 1
  if n % 4 == 0 then
    local body = string.format('{"query":"mutation { createStaffingIdea(input: { districtAgs: \\"07111\\", idea: { title: \\"Dauerlauf %d-%d\\", category: HALTEN, measure: \\"Last\\", publication: PUBLIC } }) { id } }"}', id, n)
    return wrk.format(nil, "/graphql", nil, body)
  end
  return wrk.format(nil, "/graphql", nil, reads[(n % 4)])
end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    errors = errors + 1
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("errors")
  end
  io.write(string.format("graphql_errors %d\n", total))
end
