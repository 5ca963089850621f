-- POST /v1/orders for wrk: each request takes a fresh quote and a fresh Idempotency-Key.
--
-- wrk -s bench/wrk_orders.lua URL -- QUOTES_FILE TOKEN KEY_PREFIX THREADS [cycle]
--
-- QUOTES_FILE holds one quote id per line, created before the run (an order accepts a quote
-- once; quotes live 30 minutes). Thread i takes lines i, i+THREADS, ... so no two threads share
-- a quote. Without `cycle` a thread that has used all its quotes stops (its last requests reuse
-- a spent quote and count as non-2xx, never as throughput) and done() prints how many threads
-- ran out. With `cycle` (the bare baseline, which checks nothing) the quotes repeat.

local threads = {}
local counter = 1

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   local path, nthreads = args[1], tonumber(args[4])
   token, prefix, cycle = args[2], args[3], args[5] == "cycle"
   quotes = {}
   local line_no = 0
   for line in io.lines(path) do
      if line ~= "" then
         if line_no % nthreads == id - 1 then
            quotes[#quotes + 1] = line
         end
         line_no = line_no + 1
      end
   end
   next_quote, sent, exhausted = 1, 0, 0
end

function request()
   if next_quote > #quotes then
      if cycle then
         next_quote = 1
      else
         exhausted = 1
      end
   end
   local quote = quotes[math.min(next_quote, #quotes)]
   next_quote = next_quote + 1
   sent = sent + 1
   local headers = {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = prefix .. "-" .. id .. "-" .. sent,
   }
   local body = '{"quote_id":"' .. quote .. '","payment_token":"tok_ok"}'
   return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
   if exhausted == 1 then
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local out = 0
   for _, thread in ipairs(threads) do
      out = out + (thread:get("exhausted") or 0)
   end
   io.write(string.format("bench: exhausted_threads=%d\n", out))
end
