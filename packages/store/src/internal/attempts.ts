// Attempt-idempotent scripts. Logins, rotations and logout-everywhere (whose repetition would
// change state: a second epoch, a spent grace replay, a reuse verdict) run inside a wrapper that takes
// two extra ARGV (deadline, record TTL) and one extra KEY (the attempt record, in the user's
// slot):
// - a second execution of the same attempt (a client resend, the store's own retry) returns
//   the recorded reply of the first and changes nothing (no grace replay used up, no reuse);
// - an attempt that reaches Redis after its deadline (Redis TIME, ms; 0 = unknown) changes
//   nothing and answers `XSHLLATE <redis now ms> …`, so a call the store reported as failed never takes effect
//   later.
// Revocations (logout, revokeSession, denyJti/denySid) only get the deadline (`deadlined`):
// running one twice leaves the same state, so they need no record (and an unknown sid still
// writes nothing).

/**
 * Error-reply prefix of an attempt that arrived after its deadline.
 *
 * @example
 * ```ts
 * if (error.message.startsWith(LATE_REPLY)) console.log('changed nothing')
 * ```
 */
export const LATE_REPLY = "XSHLLATE";

/**
 * Wraps a script body (which may `return` anywhere) so it runs at most once per attempt and
 * never after the attempt's deadline. KEYS and ARGV of the body keep their indices: the
 * wrapper's own key and arguments are appended at the end.
 *
 * @param body - the script body (Lua).
 * @returns the wrapped script: KEYS + attempt key, ARGV + deadline (ms, 0 = none) + record TTL (ms).
 * @example
 * ```ts
 * await redis.eval(idempotent(body), 2, key, attemptKey(key, id), arg, deadline, 5000)
 * ```
 */
export function idempotent(body: string): string {
	return `
local __ak = KEYS[#KEYS]
local __seen = redis.call('GET', __ak)
if __seen then return cjson.decode(__seen) end
local __dl = tonumber(ARGV[#ARGV - 1])
if __dl > 0 then
  local __t = redis.call('TIME')
  local __now = tonumber(__t[1]) * 1000 + math.floor(tonumber(__t[2]) / 1000)
  if __now > __dl then
    return redis.error_reply('${LATE_REPLY} ' .. string.format('%d', __now) .. ' the attempt reached redis after its deadline')
  end
end
local __out = (function()
${body}
end)()
redis.call('SET', __ak, cjson.encode(__out), 'PX', tonumber(ARGV[#ARGV]))
return __out
`;
}

/**
 * Wraps a script whose repetition is harmless (a revocation: the same state again) so that it
 * never runs after its deadline, without an attempt record: ARGV gets one more argument at
 * the end, the deadline (Redis TIME, ms; 0 = unknown).
 *
 * @param body - the script body (Lua).
 * @returns the wrapped script: ARGV + deadline (ms, 0 = none).
 * @example
 * ```ts
 * await redis.eval(deadlined(body), 1, key, arg, deadline)
 * ```
 */
export function deadlined(body: string): string {
	return `
local __dl = tonumber(ARGV[#ARGV])
if __dl > 0 then
  local __t = redis.call('TIME')
  local __now = tonumber(__t[1]) * 1000 + math.floor(tonumber(__t[2]) / 1000)
  if __now > __dl then
    return redis.error_reply('${LATE_REPLY} ' .. string.format('%d', __now) .. ' the attempt reached redis after its deadline')
  end
end
return (function()
${body}
end)()
`;
}

/**
 * The attempt record's key: in the hash tag of the script's first key
 * (`<prefix>:{u:<tag>}:a:<attemptId>`), so it lives in the same Cluster slot.
 *
 * @param firstKey - the script's first key.
 * @param attemptId - the attempt's random id.
 * @returns the key, or `undefined` when the first key has no hash tag.
 * @example
 * ```ts
 * attemptKey('xshl:{u:abc}:f:fid', 'id') // 'xshl:{u:abc}:a:id'
 * ```
 */
export function attemptKey(firstKey: string, attemptId: string): string | undefined {
	const end = firstKey.indexOf("}:");
	if (firstKey.indexOf("{") < 0 || end < 0) return undefined;
	return `${firstKey.slice(0, end + 2)}a:${attemptId}`;
}
