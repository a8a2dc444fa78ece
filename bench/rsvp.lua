-- wrk script for bench/run: POST one RSVP per request to the URL's path
-- (/events/{slug}/rsvp), each with a fresh form token and a new e-mail, as
-- that many different visitors would. A reused token would only replay the
-- first outcome (a 303 without a commit), so a thread that runs out of
-- tokens stops and says so.
--
-- Drops: lines "hold FORM_TOKEN VARIANT" POST a new visitor's hold to the
-- URL's path (/events/{slug}/hold); lines "claim HOLD_TOKEN FORM_TOKEN"
-- claim that hold at /holds/HOLD_TOKEN (bench/mint-tokens ... hold|claim).
--
-- Scores: lines "score COOKIE CSRF FORM_TOKEN ENTRY" POST the scorekeeper
-- page's score form to the URL's path (/admin/events/{slug}/scores) in that
-- admin session; lines "api BEARER ENTRY" POST to the scores API at the
-- URL's path with a new Idempotency-Key each (bench/mint-tokens ... score|api,
-- bench/run adds the session and the token). Either adds a score of 1 in
-- the entry's next round; the API answers 201.
--
-- Pledges: when the token file's lines are "MANAGE FORM_TOKEN ITEM QUANTITY"
-- (bench/mint-tokens ... pledge), each request POSTs that pledge to the
-- manage page /rsvp/MANAGE instead (the URL's path is not used).
--
--   wrk ... -s bench/rsvp.lua URL -- TOKEN_FILE RUN_TAG THREADS [once CONNECTIONS]
--
-- TOKEN_FILE: one form token a line (bench/mint-tokens); thread k of
-- THREADS uses lines k, k + THREADS, ... RUN_TAG makes the e-mails unique
-- across runs against the same event. With "once" every connection sends
-- one POST and then waits out the run: CONNECTIONS connections make a burst of
-- exactly C RSVPs sent at the same moment. done() prints one line:
--   rsvp-status 303=N 503=N other=N exhausted=N codes=CODE:N,...
-- (other: answers neither 303 nor 503, nor a pledge's 409: see request())

local threads = {}
local counter = 0

function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

local tokens = {}
local next_token = 1
local tag = ""

function init(args)
	local file, nthreads = args[1], tonumber(args[3])
	local k, n = 0, 0
	tag = args[2] .. "-" .. id
	for line in io.lines(file) do
		if k % nthreads == id then
			n = n + 1
			tokens[n] = line
		end
		k = k + 1
	end
	if args[4] == "once" then
		-- wrk asks delay() before every request, a connection's first
		-- one included: the first CONNECTIONS / THREADS calls (one per
		-- connection of this thread, made as they connect) go at once,
		-- all later ones wait out the run.
		local first = math.floor(tonumber(args[5]) / nthreads)
		function delay()
			if first > 0 then
				first = first - 1
				return 0
			end
			return 24 * 3600 * 1000
		end
	end
	counts = { [303] = 0, [503] = 0 }
	other = 0
	exhausted = 0
	pledging = false
end

local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }

function request()
	local i = next_token
	if tokens[i] == nil then
		-- Out of tokens: stop this thread; the request sent meanwhile
		-- replays the last token and changes nothing.
		exhausted = exhausted + 1
		wrk.thread:stop()
		i = math.max(i - 1, 1)
		if tokens[i] == nil then
			tokens[i] = "none"
		end
	else
		next_token = i + 1
	end
	local hold_tok, variant = tokens[i]:match("^hold (%x+) (%d+)$")
	if hold_tok then
		return wrk.format("POST", wrk.path, headers, "form_token=" .. hold_tok ..
			"&variant=" .. variant .. "&name=Bench+" .. tag .. "-" .. i ..
			"&email=h" .. tag .. "-" .. i .. "@example.org")
	end
	local link, claim_tok = tokens[i]:match("^claim (%x+) (%x+)$")
	if link then
		return wrk.format("POST", "/holds/" .. link, headers, "form_token=" .. claim_tok ..
			"&action=claim")
	end
	local cookie, csrf, score_tok, entry = tokens[i]:match("^score (%S+) (%S+) (%x+) (%d+)$")
	if cookie then
		return wrk.format("POST", wrk.path, { ["Content-Type"] = headers["Content-Type"],
			["Cookie"] = "turnout_admin=" .. cookie }, "csrf=" .. csrf .. "&form_token=" ..
			score_tok .. "&action=score&entry=" .. entry .. "&value=1")
	end
	local bearer, api_entry = tokens[i]:match("^api (%x+) (%d+)$")
	if bearer then
		return wrk.format("POST", wrk.path, { ["Content-Type"] = "application/json",
			["Authorization"] = "Bearer " .. bearer,
			["Idempotency-Key"] = "bench-" .. tag .. "-" .. i },
			'{"entry":' .. api_entry .. ',"value":1}')
	end
	local manage, tok, item, quantity = tokens[i]:match("^(%x+) (%x+) (%d+) (%d+)$")
	if manage then
		-- version 0: a stale form, which an uncapped raise does not mind.
		-- With many workers a request can overtake an earlier one for the
		-- same person; the earlier then lowers a newer pledge from a stale
		-- form, which the site rightly refuses (409): expected here.
		pledging = true
		return wrk.format("POST", "/rsvp/" .. manage, headers, "form_token=" .. tok ..
			"&action=pledge&item=" .. item .. "&version=0&quantity=" .. quantity)
	end
	local body = "form_token=" .. tokens[i] .. "&name=Bench+" .. tag .. "-" .. i ..
		"&email=b" .. tag .. "-" .. i .. "@example.org&guests=0"
	return wrk.format("POST", wrk.path, headers, body)
end

function response(status, headers, body)
	counts[status] = (counts[status] or 0) + 1
	if status ~= 303 and status ~= 201 and status ~= 503 and not (pledging and status == 409) then
		other = other + 1
	end
end

function done(summary, latency, requests)
	local all, oth, ex = {}, 0, 0
	for _, t in ipairs(threads) do
		for code, n in pairs(t:get("counts")) do
			all[code] = (all[code] or 0) + n
		end
		oth = oth + t:get("other")
		ex = ex + t:get("exhausted")
	end
	local codes = {}
	for code, n in pairs(all) do
		if n > 0 then
			table.insert(codes, code .. ":" .. n)
		end
	end
	table.sort(codes)
	io.write(string.format("rsvp-status 303=%d 503=%d other=%d exhausted=%d codes=%s\n",
		all[303] or 0, all[503] or 0, oth, ex, table.concat(codes, ",")))
end
