package dev.lockmanager.lock.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;

import org.springframework.core.io.ClassPathResource;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.ClusterStateFailureException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * {@link LeaseStore} on one Redis deployment (standalone, Sentinel or Cluster) through spring-data-redis. Every
 * operation is one Lua script, run with EVALSHA and the NOSCRIPT fallback of {@link StringRedisTemplate}; renewals
 * are batched on Lettuce's asynchronous API. Releases are announced with {@code SPUBLISH} when the manager's waiters
 * listen with sharded pub/sub, else with {@code PUBLISH}.
 * <p>
 * Processes take turns: a process whose attempt is refused while it waits takes a place in the key's line, and a
 * release promises the free key, for one turn timeout, to the process first in line, so a process cannot lose the
 * race for a contended key to the others time after time.
 */
final class RedisLeaseStore implements LeaseStore {

	private static final RedisScript<List<Long>> ACQUIRE = script("acquire.lua", List.class);

	private static final RedisScript<Long> RELEASE = script("release.lua", Long.class);

	private static final RedisScript<Long> RENEW = script("renew.lua", Long.class);

	private static final RedisScript<Long> RAISE_FENCING = script("raise-fencing.lua", Long.class);

	private static final RedisScript<List<Object>> INSPECT = script("inspect.lua", List.class);

	private static final RedisScript<Long> LEAVE = script("leave.lua", Long.class);

	private static final byte[] RENEW_SCRIPT = RENEW.getScriptAsString().getBytes(UTF_8);

	private static final byte[] ACQUIRE_SCRIPT = ACQUIRE.getScriptAsString().getBytes(UTF_8);

	private static final byte[] LEAVE_SCRIPT = LEAVE.getScriptAsString().getBytes(UTF_8);

	private final StringRedisTemplate redis;

	private final long fencingRetentionMillis;

	private final Duration commandTimeout;

	private final boolean sharedNativeConnection;

	private final Duration replicaTimeout;

	/** release.lua's ARGV[3]: whether to publish with SPUBLISH. */
	private final String shardedPublish;

	/** This process (its manager) in the keys' lines. */
	private final String process;

	/** How long a released key stays promised to the next process in line, in ms; "0" when keys are not promised. */
	private final String turnMillis;

	/**
	 * @param process this process (its manager) in the keys' lines
	 * @param turnTimeout how long a released key stays promised to the process first in its line, or
	 * {@link Duration#ZERO} to promise it to no one (for a node of a quorum: turns need one store)
	 */
	RedisLeaseStore(StringRedisTemplate redis, long fencingRetentionMillis, Duration commandTimeout,
			Duration replicaTimeout, boolean shardedPublish, String process, Duration turnTimeout) {
		this.redis = redis;
		this.process = process;
		this.turnMillis = turnTimeout.isZero() ? "0" : Long.toString(Math.max(turnTimeout.toMillis(), 1));
		this.fencingRetentionMillis = fencingRetentionMillis;
		this.commandTimeout = commandTimeout;
		this.replicaTimeout = replicaTimeout;
		this.shardedPublish = shardedPublish ? "1" : "0";
		this.sharedNativeConnection = redis.getConnectionFactory() instanceof LettuceConnectionFactory factory
				&& factory.getShareNativeConnection();
	}

	@Override
	public Attempt acquire(LockKeys keys, String owner, long ttlMillis, int replicas, long lineMillis) {
		return acquire(keys, owner, ttlMillis, replicas, lineMillis, this.commandTimeout);
	}

	@Override
	public Attempt acquire(LockKeys keys, String owner, long ttlMillis, int replicas, long lineMillis,
			Duration timeout) {
		Duration within = (timeout.compareTo(this.commandTimeout) < 0) ? timeout : this.commandTimeout;
		String[] args = acquireArgs(owner, ttlMillis, "", lineMillis);
		List<Long> reply = (replicas == 0) ? acquireWithin(keys, args, within)
				: acquireAcknowledged(keys, args, replicas, within);
		return (reply.get(0) == 1L) ? Attempt.granted(reply.get(1)) : Attempt.held(reply.get(1));
	}

	/**
	 * Runs acquire.lua by its digest, or by its text when Redis does not have it (restarted, or SCRIPT FLUSH), on the
	 * asynchronous API so that the wait for the answer can end before the command timeout.
	 */
	@SuppressWarnings("unchecked")
	private List<Long> acquireWithin(LockKeys keys, String[] args, Duration timeout) {
		byte[][] keyBytes = bytes(acquireKeys(keys));
		byte[][] argBytes = bytes(List.of(args));
		return this.redis.execute((RedisCallback<List<Long>>) connection -> {
			RedisScriptingAsyncCommands<byte[], byte[]> commands = (RedisScriptingAsyncCommands<byte[], byte[]>) connection
				.getNativeConnection();
			// Counted from here, as the command timeout is: opening the first connection has its own timeout
			long deadline = System.nanoTime() + timeout.toNanos();
			List<Object> reply;
			try {
				reply = await(commands.evalsha(ACQUIRE.getSha1(), ScriptOutputType.MULTI, keyBytes, argBytes), timeout);
			}
			catch (DataAccessException ex) {
				if (!(ex.getCause() instanceof RedisNoScriptException)) {
					throw ex;
				}
				reply = await(commands.eval(ACQUIRE_SCRIPT, ScriptOutputType.MULTI, keyBytes, argBytes),
						Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0)));
			}
			return List.of((Long) reply.get(0), (Long) reply.get(1));
		});
	}

	@Override
	public Attempt handOver(LockKeys keys, String from, String to, long ttlMillis) {
		List<Long> reply = this.redis.execute(ACQUIRE, acquireKeys(keys),
				(Object[]) acquireArgs(to, ttlMillis, from, 0));
		return (reply.get(0) == 1L) ? Attempt.granted(reply.get(1)) : Attempt.held(-1);
	}

	private static List<String> acquireKeys(LockKeys keys) {
		return List.of(keys.lease(), keys.fencing(), keys.turn(), keys.line());
	}

	private String[] acquireArgs(String owner, long ttlMillis, String from, long lineMillis) {
		return new String[] { owner, Long.toString(ttlMillis),
				Long.toString(Math.max(ttlMillis, this.fencingRetentionMillis)), from, this.process,
				Long.toString(lineMillis) };
	}

	/**
	 * Sends leave.lua by its text (a digest unknown to Redis could not be retried without waiting for the answer).
	 */
	@Override
	public void leaveLine(LockKeys keys, Duration timeout) {
		Duration within = (timeout.compareTo(this.commandTimeout) < 0) ? timeout : this.commandTimeout;
		this.redis.execute((RedisCallback<Long>) connection -> {
			@SuppressWarnings("unchecked")
			RedisScriptingAsyncCommands<byte[], byte[]> commands = (RedisScriptingAsyncCommands<byte[], byte[]>) connection
				.getNativeConnection();
			return await(commands.eval(LEAVE_SCRIPT, ScriptOutputType.INTEGER,
					new byte[][] { bytes(keys.turn()), bytes(keys.line()) }, bytes(keys.channel()),
					bytes(this.shardedPublish), bytes(this.process)), within);
		});
	}

	@Override
	public boolean handsOver() {
		return true;
	}

	/**
	 * Runs acquire.lua and {@code WAIT} back to back on the connection of the key's master: WAIT counts the replicas
	 * that acknowledged every earlier write of that connection, including the lease. A lease not acknowledged in
	 * time is given back.
	 */
	@SuppressWarnings("unchecked")
	private List<Long> acquireAcknowledged(LockKeys keys, String[] args, int replicas, Duration timeout) {
		requireReplicaTimeoutBelowCommandTimeout();
		return this.redis.execute((RedisCallback<List<Long>>) connection -> {
			RedisClusterAsyncCommands<byte[], byte[]> commands = (RedisClusterAsyncCommands<byte[], byte[]>) connection
				.getNativeConnection();
			if (commands instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
				// WAIT must run on the master's own connection, not be routed like a keyless command.
				int slot = SlotHash.getSlot(bytes(keys.lease()));
				RedisClusterNode master = cluster.getStatefulConnection().getPartitions().getMasterBySlot(slot);
				if (master == null) {
					throw new ClusterStateFailureException("No master serves the slot of " + keys.lease());
				}
				commands = cluster.getConnection(master.getNodeId());
			}
			RedisFuture<List<Object>> acquired = commands.eval(ACQUIRE_SCRIPT, ScriptOutputType.MULTI,
					bytes(acquireKeys(keys)), bytes(List.of(args)));
			RedisFuture<Long> acknowledged = commands.waitForReplication(replicas, this.replicaTimeout.toMillis());
			List<Object> reply = await(acquired, timeout);
			long replicasAcknowledged = await(acknowledged, timeout.plus(this.replicaTimeout));
			if ((Long) reply.get(0) == 1L && replicasAcknowledged < replicas) {
				release(keys, args[0]);
				throw new DataAccessResourceFailureException("only " + replicasAcknowledged + " of " + replicas
						+ " replicas acknowledged the lease within " + this.replicaTimeout + " (WAIT); it was given back");
			}
			return List.of((Long) reply.get(0), (Long) reply.get(1));
		});
	}

	/**
	 * Lettuce gives up on a command after the command timeout, so a {@code WAIT} allowed to last as long would be
	 * abandoned while Redis still counts acknowledgements, and fail a lease the replicas did acknowledge.
	 * @throws IllegalStateException if the replica timeout is not shorter than the command timeout
	 */
	void requireReplicaTimeoutBelowCommandTimeout() {
		if (this.replicaTimeout.compareTo(this.commandTimeout) >= 0) {
			throw new IllegalStateException("The replica acknowledgement timeout (" + this.replicaTimeout
					+ ") must be shorter than the Redis command timeout (" + this.commandTimeout
					+ "), or the client gives up on WAIT before Redis answers it");
		}
	}

	private <T> T await(RedisFuture<T> reply, Duration timeout) {
		try {
			return reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw translate(ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new QueryTimeoutException("Redis did not answer within " + timeout, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new QueryTimeoutException("Interrupted while waiting for Redis", ex);
		}
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
		return this.redis.execute(RELEASE, List.of(keys.lease(), keys.turn(), keys.line()), owner, keys.channel(),
				this.shardedPublish, this.process, this.turnMillis) == 1L;
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

	@Override
	public BackendStatus check(Duration timeout) {
		return new BackendStatus(List.of(checkNode(timeout)), 1);
	}

	/**
	 * Loads every lock script, all in one round trip (a no-op for a script Redis already has), and waits for the
	 * replies at most {@code timeout} and the command timeout. Any failure makes the node unreachable: that is what
	 * it is to a caller.
	 */
	BackendStatus.Node checkNode(Duration timeout) {
		Duration within = (timeout.compareTo(this.commandTimeout) < 0) ? timeout : this.commandTimeout;
		try {
			this.redis.execute((RedisCallback<Void>) (connection) -> {
				@SuppressWarnings("unchecked")
				RedisScriptingAsyncCommands<byte[], byte[]> commands = (RedisScriptingAsyncCommands<byte[], byte[]>) connection
					.getNativeConnection();
				RedisFuture<?>[] loads = Stream.of(ACQUIRE, RELEASE, RENEW, RAISE_FENCING, INSPECT, LEAVE)
					.map((script) -> commands.scriptLoad(bytes(script.getScriptAsString())))
					.toArray(RedisFuture<?>[]::new);
				if (!LettuceFutures.awaitAll(within, loads)) {
					throw new QueryTimeoutException("Redis did not answer within " + within.toMillis() + "ms");
				}
				return null;
			});
			return BackendStatus.Node.up(name());
		}
		catch (RuntimeException ex) {
			return BackendStatus.Node.down(name(), RedisLease.cause(ex));
		}
	}

	/**
	 * Where the deployment is, for health checks: no credentials.
	 */
	String name() {
		LettuceConnectionFactory connectionFactory = (LettuceConnectionFactory) this.redis.getConnectionFactory();
		if (connectionFactory.isClusterAware()) {
			return "cluster";
		}
		if (connectionFactory.isRedisSentinelAware()) {
			return "sentinel master " + connectionFactory.getSentinelConfiguration().getMaster().getName();
		}
		if (connectionFactory.getSocketConfiguration() != null) {
			return connectionFactory.getSocketConfiguration().getSocket();
		}
		return connectionFactory.getHostName() + ":" + connectionFactory.getPort();
	}

	private static byte[] bytes(String value) {
		return value.getBytes(UTF_8);
	}

	private static byte[][] bytes(List<String> values) {
		return values.stream().map(RedisLeaseStore::bytes).toArray(byte[][]::new);
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
