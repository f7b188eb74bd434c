package dev.lockmanager.lock.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * {@link LeaseStore} on one Redis deployment (standalone, Sentinel or Cluster) through spring-data-redis. Every
 * operation is one Lua script, run with EVALSHA and the NOSCRIPT fallback of {@link StringRedisTemplate}. Releases
 * are announced with {@code SPUBLISH} when the manager's waiters listen with sharded pub/sub, else with
 * {@code PUBLISH}.
 */
final class RedisLeaseStore implements LeaseStore {

	private static final RedisScript<List<Long>> ACQUIRE = script("acquire.lua", List.class);

	private static final RedisScript<Long> RELEASE = script("release.lua", Long.class);

	private static final RedisScript<Long> RENEW = script("renew.lua", Long.class);

	private static final RedisScript<Long> RAISE_FENCING = script("raise-fencing.lua", Long.class);

	private final StringRedisTemplate redis;

	private final long fencingRetentionMillis;

	/** release.lua's ARGV[3]: whether to publish with SPUBLISH. */
	private final String shardedPublish;

	RedisLeaseStore(StringRedisTemplate redis, long fencingRetentionMillis, boolean shardedPublish) {
		this.redis = redis;
		this.fencingRetentionMillis = fencingRetentionMillis;
		this.shardedPublish = shardedPublish ? "1" : "0";
	}

	@Override
	public Attempt acquire(LockKeys keys, String owner, long ttlMillis) {
		List<Long> reply = this.redis.execute(ACQUIRE, List.of(keys.lease(), keys.fencing()), owner,
				Long.toString(ttlMillis), Long.toString(Math.max(ttlMillis, this.fencingRetentionMillis)));
		return (reply.get(0) == 1L) ? Attempt.granted(reply.get(1)) : Attempt.held(reply.get(1));
	}

	/**
	 * Raises the fencing counter to at least {@code token} (quorum mode's second step).
	 */
	void raiseFencing(LockKeys keys, long token, long ttlMillis) {
		this.redis.execute(RAISE_FENCING, List.of(keys.fencing()), Long.toString(token),
				Long.toString(Math.max(ttlMillis, this.fencingRetentionMillis)));
	}

	@Override
	public boolean release(LockKeys keys, String owner) {
		return this.redis.execute(RELEASE, List.of(keys.lease()), owner, keys.channel(), this.shardedPublish) == 1L;
	}

	@Override
	public List<Boolean> renew(List<Claim> claims) {
		if (claims.size() == 1) {
			Claim claim = claims.get(0);
			return List.of(this.redis.execute(RENEW, List.of(claim.keys().lease()), claim.owner(),
					Long.toString(claim.ttlMillis())) == 1L);
		}
		// One round trip for the whole batch. Pipelined replies cannot fall back from NOSCRIPT, so send the script
		// text: Redis caches the compiled script by its digest either way.
		byte[] script = RENEW.getScriptAsString().getBytes(UTF_8);
		List<Object> replies = this.redis.executePipelined((RedisCallback<Object>) connection -> {
			claims.forEach(claim -> evalRenew(connection, script, claim));
			return null;
		});
		return replies.stream().map(reply -> Long.valueOf(1L).equals(reply)).toList();
	}

	private static void evalRenew(RedisConnection connection, byte[] script, Claim claim) {
		connection.scriptingCommands().eval(script, ReturnType.INTEGER, 1, bytes(claim.keys().lease()),
				bytes(claim.owner()), bytes(Long.toString(claim.ttlMillis())));
	}

	private static byte[] bytes(String value) {
		return value.getBytes(UTF_8);
	}

	/**
	 * Reads the script once: a static source computes the SHA1 once, where a resource source would check the
	 * resource for modification on every call.
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static <T> RedisScript<T> script(String file, Class resultType) {
		try {
			return RedisScript.of(new ClassPathResource(file, RedisLeaseStore.class).getContentAsString(UTF_8),
					resultType);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read Lua script " + file, ex);
		}
	}

}
