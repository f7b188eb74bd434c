package dev.lockmanager.lock.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;

import org.springframework.core.io.ClassPathResource;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * {@link LeaseStore} on one Redis deployment (standalone, Sentinel or Cluster) through spring-data-redis. Every
 * operation is one Lua script, run with EVALSHA and the NOSCRIPT fallback of {@link StringRedisTemplate}; renewals
 * are batched on Lettuce's asynchronous API.
 */
final class RedisLeaseStore implements LeaseStore {

	private static final RedisScript<List<Long>> ACQUIRE = script("acquire.lua", List.class);

	private static final RedisScript<Long> RELEASE = script("release.lua", Long.class);

	private static final RedisScript<Long> RENEW = script("renew.lua", Long.class);

	private static final RedisScript<Long> RAISE_FENCING = script("raise-fencing.lua", Long.class);

	private static final RedisScript<List<Object>> INSPECT = script("inspect.lua", List.class);

	private static final byte[] RENEW_SCRIPT = RENEW.getScriptAsString().getBytes(UTF_8);

	private final StringRedisTemplate redis;

	private final long fencingRetentionMillis;

	private final Duration commandTimeout;

	private final boolean sharedNativeConnection;

	RedisLeaseStore(StringRedisTemplate redis, long fencingRetentionMillis, Duration commandTimeout) {
		this.redis = redis;
		this.fencingRetentionMillis = fencingRetentionMillis;
		this.commandTimeout = commandTimeout;
		this.sharedNativeConnection = redis.getConnectionFactory() instanceof LettuceConnectionFactory factory
				&& factory.getShareNativeConnection();
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
		return this.redis.execute(RELEASE, List.of(keys.lease()), owner, keys.channel()) == 1L;
	}

	/**
	 * Sends every claim at once on the connection's native asynchronous API (Lettuce pipelines them, and on Cluster
	 * routes each to its node) and returns without waiting, so that a slow or unreachable node delays and fails only
	 * its own claims. With a dedicated rather than shared native connection (which closes when the callback ends) the
	 * replies are awaited before returning. The script text is sent rather than its digest (a NOSCRIPT reply could not
	 * be retried here); Redis caches the compiled script either way.
	 */
	@Override
	public List<CompletableFuture<Renewal>> renew(List<Claim> claims) {
		return this.redis.execute((RedisCallback<List<CompletableFuture<Renewal>>>) connection -> {
			@SuppressWarnings("unchecked")
			RedisScriptingAsyncCommands<byte[], byte[]> commands = (RedisScriptingAsyncCommands<byte[], byte[]>) connection
				.getNativeConnection();
			List<CompletableFuture<Renewal>> renewals = new ArrayList<>(claims.size());
			for (Claim claim : claims) {
				RedisFuture<Long> reply = commands.eval(RENEW_SCRIPT, ScriptOutputType.INTEGER,
						new byte[][] { bytes(claim.keys().lease()) }, bytes(claim.owner()),
						bytes(Long.toString(claim.ttlMillis())));
				renewals.add(reply.toCompletableFuture()
					.orTimeout(this.commandTimeout.toNanos(), TimeUnit.NANOSECONDS)
					.handle(this::outcome));
			}
			if (!this.sharedNativeConnection) {
				CompletableFuture.allOf(renewals.toArray(CompletableFuture[]::new)).join();
			}
			return renewals;
		});
	}

	private Renewal outcome(Long reply, Throwable failure) {
		if (failure == null) {
			return (reply == 1L) ? Renewal.EXTENDED : Renewal.REFUSED;
		}
		Throwable cause = (failure instanceof CompletionException) ? failure.getCause() : failure;
		if (cause instanceof TimeoutException) {
			return Renewal.failed(new QueryTimeoutException("Redis did not answer within " + this.commandTimeout, cause));
		}
		return Renewal.failed(translate(cause));
	}

	private DataAccessException translate(Throwable ex) {
		DataAccessException translated = (ex instanceof RuntimeException runtime
				&& this.redis.getConnectionFactory() instanceof LettuceConnectionFactory factory)
						? factory.translateExceptionIfPossible(runtime) : null;
		return (translated != null) ? translated : new RedisSystemException("Redis renewal failed: " + ex, ex);
	}

	@Override
	public Inspection inspect(LockKeys keys) {
		List<Object> reply = this.redis.execute(INSPECT, List.of(keys.lease(), keys.fencing()));
		String owner = (String) reply.get(0);
		return (owner != null) ? new Inspection(owner, (Long) reply.get(1), (Long) reply.get(2))
				: new Inspection(null, 0, 0);
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
