-- wrk: the reads a member's browser makes, in turn, signed in (SOAK_TOKEN).
local token = os.getenv("SOAK_TOKEN")
local project = os.getenv("SOAK_PROJECT") or "1"
local paths = {
  "/api/v1/queue", "/api/v1/cluster", "/api/v1/ideas?limit=20", "/api/v1/projects",
  "/api/v1/projects/" .. project, "/api/v1/members?limit=20", "/api/v1/me/inbox",
  "/api/v1/ledger/entries?limit=20", "/api/v1/jobs?limit=20", "/api/v1/boosts",
  "/api/v1/ledger/checkpoint", "/api/v1/cluster/utilization?hours=1&buckets=6",
}
local i = 0

request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Authorization"] = "Bearer " .. token })
end
