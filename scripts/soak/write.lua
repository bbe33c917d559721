-- wrk: writes that change rows without adding any (so a long soak measures the server,
-- not a growing table or ledger): a profile edit and an idea's edit, in turn, each a
-- write transaction. SOAK_TOKEN is Bob's; Bob wrote idea SOAK_IDEA.
local token = os.getenv("SOAK_TOKEN")
local idea = os.getenv("SOAK_IDEA")
local n = 0
local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }

request = function()
  n = n + 1
  if n % 2 == 0 then
    return wrk.format("PATCH", "/api/v1/me", headers,
      '{"skills": ["CUDA", "soak-' .. (n % 100) .. '"]}')
  end
  return wrk.format("PATCH", "/api/v1/ideas/" .. idea, headers,
    '{"pitch": "revision ' .. (n % 1000) .. '"}')
end
