// The revocation feed's log in Redis, shared by every issuer instance: seq (ms-based, never
// back), one hash of entries, a sorted set by seq (deltas) and one by expiry (pruning), all
// under one hash tag so they live in one Cluster slot.
import { type FeedBody, type FeedLogLike, MAX_FRESH_SIDS, userWire } from "./feed-log";

/** The ioredis calls the Redis log makes (`Redis` or `Cluster`). */
export interface FeedRedisClient {
	eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** KEYS: seq base entries bySeq byExp; ARGV: nowMs field value exp */
const WRITE = `
redis.call('SET', KEYS[2], ARGV[1], 'NX')
local seq = tonumber(redis.call('GET', KEYS[1]) or redis.call('GET', KEYS[2]))
seq = math.max(seq + 1, tonumber(ARGV[1]))
local s = string.format('%.0f', seq)
redis.call('SET', KEYS[1], s)
local prev = redis.call('ZSCORE', KEYS[5], ARGV[2])
local exp = tonumber(ARGV[4])
if prev and tonumber(prev) > exp and string.sub(ARGV[2], 1, 2) ~= 'u:' then exp = tonumber(prev) end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[4], s, ARGV[2])
redis.call('ZADD', KEYS[5], string.format('%.0f', exp), ARGV[2])
return s
`;

/**
 * KEYS: seq base entries bySeq byExp; ARGV: nowMs field(u:<tag>) sid atMs maxFresh.
 * The user's value is `[epoch, exceptSid?, freshSids?]`: add the sid when it was opened after
 * the epoch in the same second.
 */
const BORN = `
local raw = redis.call('HGET', KEYS[3], ARGV[2])
if not raw then return 0 end
local v = cjson.decode(raw)
local epoch = tonumber(v[1])
local at = tonumber(ARGV[4])
if not (at > epoch and math.floor(at / 1000) == math.floor(epoch / 1000)) then return 0 end
local except = v[2]
if type(except) ~= 'string' then except = '' end
local fresh = v[3]
if type(fresh) ~= 'table' then fresh = {} end
if #fresh >= tonumber(ARGV[5]) then return 0 end
for i = 1, #fresh do if fresh[i] == ARGV[3] then return 0 end end
fresh[#fresh + 1] = ARGV[3]
redis.call('SET', KEYS[2], ARGV[1], 'NX')
local seq = tonumber(redis.call('GET', KEYS[1]) or redis.call('GET', KEYS[2]))
seq = math.max(seq + 1, tonumber(ARGV[1]))
local s = string.format('%.0f', seq)
redis.call('SET', KEYS[1], s)
redis.call('HSET', KEYS[3], ARGV[2], '[' .. string.format('%.0f', epoch) .. ',' .. cjson.encode(except) .. ',' .. cjson.encode(fresh) .. ']')
redis.call('ZADD', KEYS[4], s, ARGV[2])
return 1
`;

/** KEYS: seq base entries bySeq byExp; ARGV: nowMs nowSec since(-1 for all) */
const READ = `
redis.call('SET', KEYS[2], ARGV[1], 'NX')
local dead = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', ARGV[2])
for i = 1, #dead, 1000 do
  local chunk = {}
  for j = i, math.min(i + 999, #dead) do chunk[#chunk + 1] = dead[j] end
  redis.call('HDEL', KEYS[3], unpack(chunk))
  redis.call('ZREM', KEYS[4], unpack(chunk))
end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', ARGV[2])
local fields = redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. ARGV[3], '+inf')
local out = {}
for i = 1, #fields, 1000 do
  local chunk = {}
  for j = i, math.min(i + 999, #fields) do chunk[#chunk + 1] = fields[j] end
  local vals = redis.call('HMGET', KEYS[3], unpack(chunk))
  local exps = {}
  for j = 1, #chunk do
    out[#out + 1] = chunk[j]
    out[#out + 1] = vals[j]
    out[#out + 1] = redis.call('ZSCORE', KEYS[5], chunk[j])
  end
end
local base = redis.call('GET', KEYS[2])
return { redis.call('GET', KEYS[1]) or base, base, out }
`;

/** The Redis log; `prefix` must contain a Cluster hash tag (`{...}`). */
export class RedisFeedLog implements FeedLogLike {
	readonly #client: FeedRedisClient;
	readonly #keys: string[];

	constructor(client: FeedRedisClient, prefix: string) {
		this.#client = client;
		this.#keys = ["seq", "base", "entries", "byseq", "byexp"].map((k) => `${prefix}${k}`);
	}

	async write(field: string, value: unknown[], exp: number, nowMs: number): Promise<void> {
		await this.#client.eval(WRITE, 5, ...this.#keys, nowMs, field, JSON.stringify(value), exp);
	}

	async born(tag: string, sid: string, atMs: number, nowMs: number): Promise<void> {
		await this.#client.eval(BORN, 5, ...this.#keys, nowMs, `u:${tag}`, sid, atMs, MAX_FRESH_SIDS);
	}

	async read(
		nowMs: number,
		since: number | undefined,
	): Promise<{ seq: number; baseSeq: number; body: FeedBody }> {
		const r = (await this.#client.eval(
			READ,
			5,
			...this.#keys,
			nowMs,
			Math.floor(nowMs / 1000),
			since ?? -1,
		)) as [string, string, string[]];
		const body: FeedBody = { sids: {}, jtis: {}, users: {} };
		const flat = r[2];
		for (let i = 0; i < flat.length; i += 3) {
			const field = flat[i] as string;
			const raw = flat[i + 1];
			if (typeof raw !== "string") continue;
			const exp = Number(flat[i + 2]);
			const id = field.slice(2);
			if (field.startsWith("s:")) body.sids[id] = exp;
			else if (field.startsWith("j:")) body.jtis[id] = exp;
			else {
				const [epoch, exceptSid, fresh] = JSON.parse(raw) as [number, string?, string[]?];
				body.users[id] = userWire(epoch, exp, exceptSid === "" ? undefined : exceptSid, fresh);
			}
		}
		return { seq: Number(r[0]), baseSeq: Number(r[1]), body };
	}
}
