package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.Assert;
import org.springframework.util.backoff.ExponentialBackOff;

import dev.lockmanager.lock.LeaseListener;
import dev.lockmanager.lock.LockNotAcquiredException;

/**
 * Configures a {@link RedisLockManager}; every setter validates its argument.
 */
public final class RedisLockManagerBuilder {

	private final RedisConnectionFactory connectionFactory;

	private String keyPrefix = "lock:";

	private Duration initialInterval = Duration.ofMillis(100);

	private double multiplier = 2.0;

	private Duration maxInterval = Duration.ofSeconds(2);

	private Duration jitter = Duration.ofMillis(50);

	private boolean renewalEnabled = true;

	private double renewalRatio = 0.33;

	private Duration maxTtl = Duration.ofHours(1);

	private Duration maxWaitTime = Duration.ofMinutes(5);

	private int maxWaiters = 1000;

	private Duration fencingRetention = Duration.ofDays(7);

	private List<RedisConnectionFactory> quorumNodes = List.of();

	private Duration quorumNodeTimeout = Duration.ofMillis(100);

	private boolean ownsQuorumNodes;

	private final List<LeaseListener> listeners = new ArrayList<>();

	private ObservationRegistry observations = ObservationRegistry.NOOP;

	private int replicas;

	private Duration replicaTimeout = Duration.ofMillis(100);

	private int maxHandoffs = 16;

	private Duration handoffSlice = Duration.ofMillis(50);

	RedisLockManagerBuilder(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	/**
	 * @param keyPrefix prepended to every Redis key and channel (default {@code lock:}); no braces
	 * @return this builder
	 */
	public RedisLockManagerBuilder keyPrefix(String keyPrefix) {
		Assert.notNull(keyPrefix, "keyPrefix must not be null");
		Assert.isTrue(keyPrefix.indexOf('{') < 0 && keyPrefix.indexOf('}') < 0,
				() -> "keyPrefix must not contain braces (they would move the Cluster hash slot) but was '"
						+ keyPrefix + "'");
		this.keyPrefix = keyPrefix;
		return this;
	}

	/**
	 * Backoff between attempts when no release notification arrives (defaults 100ms, 2.0, 2s, 50ms).
	 * @param initialInterval the first pause
	 * @param multiplier growth of each further pause, at least 1
	 * @param maxInterval the longest pause
	 * @param jitter random spread applied to each pause, scaled with it
	 * @return this builder
	 */
	public RedisLockManagerBuilder backOff(Duration initialInterval, double multiplier, Duration maxInterval, Duration jitter) {
		requirePositive(initialInterval, "initialInterval");
		requirePositive(maxInterval, "maxInterval");
		Assert.isTrue(multiplier >= 1 && Double.isFinite(multiplier),
				() -> "multiplier must be a finite number of at least 1 but was " + multiplier);
		Assert.isTrue(maxInterval.compareTo(initialInterval) >= 0, () -> "maxInterval (" + maxInterval
				+ ") must not be shorter than initialInterval (" + initialInterval + ")");
		Assert.isTrue(jitter != null && !jitter.isNegative(),
				() -> "jitter must not be negative but was " + jitter);
		this.initialInterval = initialInterval;
		this.multiplier = multiplier;
		this.maxInterval = maxInterval;
		this.jitter = jitter;
		return this;
	}

	/**
	 * @param enabled whether leases are renewed in the background unless a request turns it off (default true)
	 * @param ratio fraction of the ttl after which a lease is renewed, between 0.1 and 0.9 (default 0.33)
	 * @return this builder
	 */
	public RedisLockManagerBuilder renewal(boolean enabled, double ratio) {
		Assert.isTrue(ratio >= 0.1 && ratio <= 0.9,
				() -> "renewal ratio must be between 0.1 and 0.9 but was " + ratio);
		this.renewalEnabled = enabled;
		this.renewalRatio = ratio;
		return this;
	}

	/**
	 * @param maxTtl the longest ttl a caller may ask for (default 1h)
	 * @return this builder
	 */
	public RedisLockManagerBuilder maxTtl(Duration maxTtl) {
		requirePositive(maxTtl, "maxTtl");
		this.maxTtl = maxTtl;
		return this;
	}

	/**
	 * @param maxWaitTime the longest wait a caller may ask for (default 5m)
	 * @return this builder
	 */
	public RedisLockManagerBuilder maxWaitTime(Duration maxWaitTime) {
		Assert.isTrue(maxWaitTime != null && !maxWaitTime.isNegative(),
				() -> "maxWaitTime must not be negative but was " + maxWaitTime);
		this.maxWaitTime = maxWaitTime;
		return this;
	}

	/**
	 * @param maxWaiters how many callers may wait at once in this manager (default 1000); further callers fail
	 * at once with {@link LockNotAcquiredException}
	 * @return this builder
	 */
	public RedisLockManagerBuilder maxWaiters(int maxWaiters) {
		Assert.isTrue(maxWaiters >= 0, () -> "maxWaiters must not be negative but was " + maxWaiters);
		this.maxWaiters = maxWaiters;
		return this;
	}

	/**
	 * @param fencingRetention how long a key's fencing counter is kept after its last acquisition (default 7d);
	 * tokens stay increasing after it expires, see the README
	 * @return this builder
	 */
	public RedisLockManagerBuilder fencingRetention(Duration fencingRetention) {
		requirePositive(fencingRetention, "fencingRetention");
		this.fencingRetention = fencingRetention;
		return this;
	}

	/**
	 * Quorum mode: leases are taken on independent Redis masters and granted by a majority (the Redlock algorithm).
	 * Waiters are woken by a release through any node: they subscribe on a majority of the nodes.
	 * @param nodes at least 3 independent masters (an odd number), each its own Lettuce connection factory
	 * @param nodeTimeout how long to wait for each node, much shorter than the ttl (default 100ms)
	 * @return this builder
	 */
	public RedisLockManagerBuilder quorum(List<? extends RedisConnectionFactory> nodes, Duration nodeTimeout) {
		Assert.isTrue(nodes != null && nodes.size() >= 3,
				() -> "quorum mode needs at least 3 nodes but got " + ((nodes != null) ? nodes.size() : 0));
		nodes.forEach((node) -> Assert.isInstanceOf(LettuceConnectionFactory.class, node,
				"Lock Manager needs spring-data-redis with Lettuce (a LettuceConnectionFactory) but got"));
		requirePositive(nodeTimeout, "nodeTimeout");
		this.quorumNodes = List.copyOf(nodes);
		this.quorumNodeTimeout = nodeTimeout;
		this.ownsQuorumNodes = false;
		return this;
	}

	/**
	 * Quorum mode on nodes given by URI ({@code redis://[[user:]password@]host:port}): the manager creates a
	 * Lettuce connection factory per node, with the node timeout as its command timeout, and closes them when it is
	 * closed.
	 * @param nodeUris at least 3 independent masters (an odd number)
	 * @param nodeTimeout how long to wait for each node, much shorter than the ttl
	 * @return this builder
	 * @see #quorum(List, Duration)
	 */
	public RedisLockManagerBuilder quorumNodes(List<String> nodeUris, Duration nodeTimeout) {
		Assert.isTrue(nodeUris != null && nodeUris.size() >= 3,
				() -> "quorum mode needs at least 3 nodes but got " + ((nodeUris != null) ? nodeUris.size() : 0));
		requirePositive(nodeTimeout, "nodeTimeout");
		List<RedisConnectionFactory> nodes = nodeUris.stream().map((uri) -> node(uri, nodeTimeout)).toList();
		quorum(nodes, nodeTimeout);
		this.ownsQuorumNodes = true;
		return this;
	}

	private static RedisConnectionFactory node(String uri, Duration nodeTimeout) {
		LettuceConnectionFactory node;
		try {
			node = new LettuceConnectionFactory(LettuceConnectionFactory.createRedisConfiguration(uri),
					LettuceClientConfiguration.builder().commandTimeout(nodeTimeout).build());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("quorum node '" + uri + "' is not a Redis URI such as redis://host:6379: "
					+ ex.getMessage(), ex);
		}
		node.afterPropertiesSet();
		node.start();
		return node;
	}

	/**
	 * Replica acknowledgement (Redis {@code WAIT}): a lease is granted only once {@code replicas} replicas of its
	 * master acknowledged it within {@code timeout}; otherwise it is given back and the attempt fails like an
	 * unreachable Redis. Requests may override the number ({@link dev.lockmanager.lock.LockRequest#withReplicas}). It
	 * narrows the window in which a failover loses a fresh lease; it does not close it. Default: off.
	 * @param replicas how many replicas must acknowledge a new lease, 0 for none
	 * @param timeout how long Redis waits for them (default 100ms); shorter than the Redis command timeout (in
	 * quorum mode, each node's), which {@link #build()} checks when {@code replicas} is not 0
	 * @return this builder
	 */
	public RedisLockManagerBuilder replicaAcknowledgement(int replicas, Duration timeout) {
		Assert.isTrue(replicas >= 0, () -> "replicas must not be negative but was " + replicas);
		requirePositive(timeout, "timeout");
		this.replicas = replicas;
		this.replicaTimeout = timeout;
		return this;
	}

	/**
	 * The fairness bound of local handoff. A holder that releases while another caller of this manager waits for the
	 * same key hands the lease to it directly, in one round trip; once this manager has done so {@code maxHandoffs}
	 * times in a row, or {@code timeSlice} after it took the key from Redis, the next release goes back to Redis,
	 * which promises the key for one {@code timeSlice} to the process that has waited longest (defaults 16 and 50ms).
	 * @param maxHandoffs how many handoffs in a row, 0 to never hand a lease over
	 * @param timeSlice how long after taking the key from Redis handoffs may go on, and how long a key released through
	 * Redis stays promised to the process first in its line
	 * @return this builder
	 */
	public RedisLockManagerBuilder handoff(int maxHandoffs, Duration timeSlice) {
		Assert.isTrue(maxHandoffs >= 0, () -> "maxHandoffs must not be negative but was " + maxHandoffs);
		requirePositive(timeSlice, "timeSlice");
		this.maxHandoffs = maxHandoffs;
		this.handoffSlice = timeSlice;
		return this;
	}

	/**
	 * @param listener told about the leases the manager takes for this process; listeners are called in the order
	 * they were added
	 * @return this builder
	 */
	public RedisLockManagerBuilder listener(LeaseListener listener) {
		Assert.notNull(listener, "listener must not be null");
		this.listeners.add(listener);
		return this;
	}

	/**
	 * @param observations where acquisitions are observed as {@code lock.acquire} (default: not observed)
	 * @return this builder
	 */
	public RedisLockManagerBuilder observationRegistry(ObservationRegistry observations) {
		Assert.notNull(observations, "observations must not be null");
		this.observations = observations;
		return this;
	}

	/**
	 * @return a new manager; close it to stop its renewal thread and release its leases
	 * @throws IllegalStateException if replica acknowledgement is on and its timeout is not shorter than the Redis
	 * command timeout, or if Redis answers that the user the connection factory logs in as may not run a command the
	 * manager needs, on the keys and channels under its prefix (checked on Redis 7.0 and newer, when Redis can be
	 * reached; the message names what is missing)
	 */
	public RedisLockManager build() {
		ExponentialBackOff backOff = new ExponentialBackOff(this.initialInterval.toMillis(), this.multiplier);
		backOff.setMaxInterval(this.maxInterval.toMillis());
		backOff.setJitter(this.jitter.toMillis());
		ManagerSettings settings = new ManagerSettings(this.keyPrefix, backOff, this.renewalEnabled, this.renewalRatio,
				this.maxTtl, this.maxWaitTime, this.maxWaiters, this.fencingRetention, this.quorumNodes,
				this.quorumNodeTimeout, this.ownsQuorumNodes, this.listeners, this.observations, this.replicas,
				this.replicaTimeout, this.maxHandoffs, this.handoffSlice);
		try {
			return new RedisLockManager(this.connectionFactory, settings);
		}
		catch (RuntimeException ex) {
			if (this.ownsQuorumNodes) {
				this.quorumNodes.forEach((node) -> ((LettuceConnectionFactory) node).destroy());
			}
			throw ex;
		}
	}

	private static void requirePositive(Duration value, String name) {
		Assert.isTrue(value != null && value.toMillis() >= 1,
				() -> name + " must be at least 1ms but was " + value);
	}

}
