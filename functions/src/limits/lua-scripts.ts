// The Redis side of the limiter: one Lua script per operation, so each decision is one round
// trip and atomic across every key it touches. The rules mirror memory-store.ts; keep the two
// in step (the shared store tests run against both).
//
// The clock is Redis `TIME` unless the caller passes `now`, so every instance agrees on it.
// Scripts that read TIME and then write are safe: Redis 7 replicates scripts by their effects.
// Numbers come back as integers (Redis truncates Lua numbers), so every value returned is one.

const PRELUDE = `
local MINUTE = 60000
local DAY = 86400000
local EPSILON = 1e-9
local CONCURRENCY_RETRY = 1000
local GRACE = 60000

local function clock(given)
  local now = tonumber(given)
  if now then return now end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A bucket is a hash {l = level, ts = last update}; no key means full.
local function level_at(key, cap, rate, now)
  local s = redis.call('HMGET', key, 'l', 'ts')
  local level, ts = tonumber(s[1]), tonumber(s[2])
  if not level then return cap, now end
  return math.min(cap, level + math.max(0, now - ts) * rate / MINUTE), math.max(now, ts)
end

local function ms_until(level, amount, rate)
  return math.max(0, math.ceil((amount - level) * MINUTE / rate))
end

local function whole(level) return math.max(0, math.floor(level + EPSILON)) end

-- Takes amount (negative gives back); the level may fall below zero: debt.
local function take(key, cap, rate, amount, now)
  local level, ts = level_at(key, cap, rate, now)
  level = math.min(cap, level - amount)
  if level >= cap then
    redis.call('DEL', key)
    return cap
  end
  redis.call('HSET', key, 'l', level, 'ts', ts)
  redis.call('PEXPIRE', key, ms_until(level, cap, rate) + GRACE)
  return level
end

-- Howard Hinnant's civil-calendar algorithms, for the end of the UTC month.
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1
  return era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
end

local function period_ends(now)
  local z = math.floor(now / DAY) + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524)
    - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  if m == 12 then y, m = y + 1, 1 else m = m + 1 end
  return { (math.floor(now / DAY) + 1) * DAY, days_from_civil(y, m, 1) * DAY }
end

-- A budget is a hash {used, ['end'] = end of its period}; another period's count is stale.
local function used_in(key, period_end)
  local s = redis.call('HMGET', key, 'used', 'end')
  if tonumber(s[2]) ~= period_end then return 0 end
  return tonumber(s[1]) or 0
end

local function spend(key, period_end, amount, now)
  redis.call('HSET', key, 'used', math.max(0, used_in(key, period_end) + amount), 'end', period_end)
  redis.call('PEXPIRE', key, period_end - now + GRACE)
end
`;

/**
 * KEYS, 6 per principal: requests, tokens, leases, daily, monthly, and the lease's release mark.
 * ARGV: now|'', leaseId, leaseTtlMs, tokens, costMicroUsd, then 7 per principal:
 * requests capacity, requests refill/min, tokens capacity, tokens refill/min, concurrency,
 * daily budget, monthly budget (budgets -1 = none).
 * Returns {1, now, limit, remaining, resetMs},
 * {0, now, limit name, principal index (1-based), retryAfterMs, resetAt, limitValue, remaining},
 * or {2, now} when the lease was released before this decision ran: it takes nothing.
 */
export const ADMIT_SCRIPT = `${PRELUDE}
local now = clock(ARGV[1])
local lease_id, ttl = ARGV[2], tonumber(ARGV[3])
local tokens, cost = tonumber(ARGV[4]), tonumber(ARGV[5])
local n = #KEYS / 6
for i = 1, n do
  if redis.call('EXISTS', KEYS[i * 6]) == 1 then return { 2, now } end
end
local ends = period_ends(now)
local names = { 'daily-budget', 'monthly-budget' }
local refusal
local function refuse(r)
  if not refusal or r[3] > refusal[3] then refusal = r end
end

for i = 1, n do
  local k, a = (i - 1) * 6, 5 + (i - 1) * 7
  local rcap, rrate = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local tcap, trate = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  local requests = level_at(KEYS[k + 1], rcap, rrate, now)
  if requests < 1 - EPSILON then
    local wait = ms_until(requests, 1, rrate)
    refuse({ 'requests', i, wait, now + wait, rcap, whole(requests) })
  end
  local need = math.min(tokens, tcap)
  local level = level_at(KEYS[k + 2], tcap, trate, now)
  if need > 0 and level < need - EPSILON then
    local wait = ms_until(level, need, trate)
    refuse({ 'tokens', i, wait, now + wait, tcap, whole(level) })
  end
  local concurrency = tonumber(ARGV[a + 5])
  redis.call('ZREMRANGEBYSCORE', KEYS[k + 3], '-inf', now)
  if redis.call('ZCARD', KEYS[k + 3]) >= concurrency
    and not redis.call('ZSCORE', KEYS[k + 3], lease_id) then
    local earliest = tonumber(redis.call('ZRANGE', KEYS[k + 3], 0, 0, 'WITHSCORES')[2])
    refuse({ 'concurrency', i, math.min(CONCURRENCY_RETRY, earliest - now), earliest, concurrency, 0 })
  end
  for p = 1, 2 do
    local budget = tonumber(ARGV[a + 5 + p])
    if budget >= 0 then
      local used = used_in(KEYS[k + 3 + p], ends[p])
      if used + cost > budget then
        refuse({ names[p], i, ends[p] - now, ends[p], budget, math.max(0, budget - used) })
      end
    end
  end
end
if refusal then
  return { 0, now, refusal[1], refusal[2], refusal[3], refusal[4], refusal[5], refusal[6] }
end

local first
for i = 1, n do
  local k, a = (i - 1) * 6, 5 + (i - 1) * 7
  local rcap, rrate = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local left = take(KEYS[k + 1], rcap, rrate, 1, now)
  first = first or { rcap, whole(left), ms_until(left, rcap, rrate) }
  take(KEYS[k + 2], tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), tokens, now)
  redis.call('ZADD', KEYS[k + 3], now + ttl, lease_id)
  redis.call('PEXPIRE', KEYS[k + 3], ttl + GRACE)
  for p = 1, 2 do
    if cost > 0 and tonumber(ARGV[a + 5 + p]) >= 0 then spend(KEYS[k + 3 + p], ends[p], cost, now) end
  end
end
return { 1, now, first[1], first[2], first[3] }
`;

/**
 * KEYS: the usage ledger's stream, then 5 per principal: tokens, leases, daily, monthly, and
 * the lease's release mark.
 * ARGV: now|'', leaseId, admittedAt|'', extraTokens, extraCostMicroUsd, markTtlMs|'', callId|'',
 * record|'', then 4 per principal: tokens capacity, tokens refill/min, daily budget on (1/0),
 * monthly budget on (1/0). Corrects only where the lease is still held, so that a settlement
 * sent twice counts once. With markTtlMs it is a release: it also marks the lease, so that its
 * decision, should it run later, takes nothing. With a callId it appends the call's usage
 * record to the ledger in the same step, held or not (the ledger counts a call id once).
 * Returns the principals corrected.
 */
export const SETTLE_SCRIPT = `${PRELUDE}
local now = clock(ARGV[1])
local lease_id = ARGV[2]
local ends = period_ends(tonumber(ARGV[3]) or now)
local extra_tokens, extra_cost = tonumber(ARGV[4]), tonumber(ARGV[5])
local mark_ttl = tonumber(ARGV[6])
if ARGV[7] ~= '' then redis.call('XADD', KEYS[1], '*', 'call', ARGV[7], 'record', ARGV[8]) end
local corrected = 0
for i = 1, (#KEYS - 1) / 5 do
  local k, a = 1 + (i - 1) * 5, 8 + (i - 1) * 4
  if mark_ttl then redis.call('SET', KEYS[k + 5], 1, 'PX', mark_ttl) end
  if redis.call('ZREM', KEYS[k + 2], lease_id) == 1 then
    corrected = corrected + 1
    take(KEYS[k + 1], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), extra_tokens, now)
    for p = 1, 2 do
      -- A correction for a period that has ended is dropped: that budget has reset.
      if extra_cost ~= 0 and ARGV[a + 2 + p] == '1' and ends[p] > now then
        spend(KEYS[k + 2 + p], ends[p], extra_cost, now)
      end
    end
  end
end
return corrected
`;

/** KEYS: the leases of each principal. ARGV: now|'', leaseId, leaseTtlMs. Returns renewals. */
export const RENEW_SCRIPT = `${PRELUDE}
local now = clock(ARGV[1])
local lease_id, ttl = ARGV[2], tonumber(ARGV[3])
local renewed = 0
for i = 1, #KEYS do
  local expiry = tonumber(redis.call('ZSCORE', KEYS[i], lease_id))
  if expiry and expiry > now then
    redis.call('ZADD', KEYS[i], 'XX', now + ttl, lease_id)
    redis.call('PEXPIRE', KEYS[i], ttl + GRACE)
    renewed = renewed + 1
  end
end
return renewed
`;
