package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.Assert;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;

/**
 * {@link LockManager} on Redis (standalone, Sentinel or Cluster) through a spring-data-redis connection factory.
 * <p>
 * Acquire and release are one round trip each. Waiters sleep until the holder releases (one shared pub/sub
 * subscription per manager), with exponential backoff and jitter as the fallback, never longer than the holder's
 * remaining ttl or the caller's deadline. Renewed leases are extended by one background thread at a fraction of their
 * ttl. Create one with {@link #builder(RedisConnectionFactory)}; {@link #close()} stops renewal and releases the
 * leases still held. In a Spring application context the leases still held are released when the context stops,
 * after the web server and before the Redis connection factory (see {@link #PHASE}).
 */
public final class RedisLockManager implements LockManager, SmartLifecycle, AutoCloseable {

	/**
	 * Lifecycle phase: stopped after the web server (so in-flight requests finish and release their leases first)
	 * and before the Redis connection factory (phase 0), so the remaining leases can still be released.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final Log logger = LogFactory.getLog(RedisLockManager.class);

	private final Settings settings;

	private final LeaseStore store;

	private final ReleaseNotifications notifications;

	private final LeaseRenewer renewer;

	private final Semaphore waiterPermits;

	private final Set<RedisLease> held = ConcurrentHashMap.newKeySet();

	private volatile boolean running;

	private RedisLockManager(RedisConnectionFactory connectionFactory, Settings settings) {
		this.settings = settings;
		StringRedisTemplate redis = new StringRedisTemplate(connectionFactory);
		// The scripts use the connection only inside the template's callback: no close-suppressing proxy needed.
		redis.setExposeConnection(true);
		this.store = new RedisLeaseStore(redis, settings.fencingRetention.toMillis());
		this.notifications = new ReleaseNotifications(connectionFactory);
		this.renewer = new LeaseRenewer(this.store, settings.renewalRatio);
		this.waiterPermits = new Semaphore(settings.maxWaiters);
	}

	/**
	 * @param connectionFactory the Redis connections to use: a {@link LettuceConnectionFactory}, whose pub/sub
	 * subscriptions do not block the subscribing thread
	 * @return a builder with the defaults documented on its methods
	 */
	public static Builder builder(RedisConnectionFactory connectionFactory) {
		Assert.notNull(connectionFactory, "connectionFactory must not be null");
		Assert.isInstanceOf(LettuceConnectionFactory.class, connectionFactory,
				"Lock Manager needs spring-data-redis with Lettuce (a LettuceConnectionFactory) but got");
		return new Builder(connectionFactory);
	}

	@Override
	public Lease acquire(LockRequest request) {
		validate(request);
		LockKeys keys = keys(request);
		long deadline = System.nanoTime() + request.waitTime().toNanos();
		Outcome first = attempt(request, keys);
		if (first.lease != null) {
			return first.lease;
		}
		if (request.waitTime().isZero()) {
			throw notAcquired(request, first);
		}
		if (!this.waiterPermits.tryAcquire()) {
			throw new LockNotAcquiredException(request.name(), request.key(), "Could not wait for the lock on key '"
					+ request.key() + "': " + this.settings.maxWaiters + " callers are already waiting (max-waiters)");
		}
		try (ReleaseNotifications.Waiter waiter = this.notifications.register(keys.channel())) {
			return await(request, keys, deadline, waiter);
		}
		finally {
			this.waiterPermits.release();
		}
	}

	private Lease await(LockRequest request, LockKeys keys, long deadline, ReleaseNotifications.Waiter waiter) {
		BackOffExecution backOff = this.settings.backOff.start();
		while (true) {
			Outcome outcome = attempt(request, keys);
			if (outcome.lease != null) {
				return outcome.lease;
			}
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				throw notAcquired(request, outcome);
			}
			long pause = Math.min(TimeUnit.MILLISECONDS.toNanos(backOff.nextBackOff()), left);
			if (outcome.holderRemainingMillis >= 0) {
				// Wake no later than the holder's lease expires: an expiry publishes nothing.
				pause = Math.min(pause, TimeUnit.MILLISECONDS.toNanos(outcome.holderRemainingMillis + 1));
			}
			try {
				waiter.await(pause);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new LockNotAcquiredException(request.name(), request.key(),
						"Interrupted while waiting for the lock on key '" + request.key() + "'");
			}
		}
	}

	@Override
	public Optional<Lease> tryAcquire(LockRequest request) {
		validate(request);
		Outcome outcome = attempt(request, keys(request));
		if (outcome.failure != null) {
			throw unavailable(request, outcome.failure);
		}
		return Optional.ofNullable(outcome.lease);
	}

	/**
	 * One acquisition attempt under a fresh owner token. A failed attempt may still have been applied by Redis (a
	 * timeout is an unknown outcome), so its token is released in the background.
	 */
	private Outcome attempt(LockRequest request, LockKeys keys) {
		String owner = OwnerTokens.next();
		long sentAt = System.nanoTime();
		LeaseStore.Attempt attempt;
		try {
			attempt = this.store.acquire(keys, owner, request.ttl().toMillis());
		}
		catch (DataAccessException ex) {
			releaseInBackground(keys, owner);
			return new Outcome(null, -1, ex);
		}
		if (!attempt.acquired()) {
			return new Outcome(null, attempt.holderRemainingMillis(), null);
		}
		boolean renewing = request.renew() && this.settings.renewalEnabled;
		RedisLease lease = new RedisLease(this, request.name(), request.key(), keys, owner, attempt.fencingToken(),
				request.ttl(), sentAt, renewing);
		this.held.add(lease);
		if (renewing) {
			this.renewer.register(lease);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Acquired " + lease);
		}
		return new Outcome(lease, 0, null);
	}

	private void releaseInBackground(LockKeys keys, String owner) {
		try {
			this.renewer.execute(() -> {
				try {
					this.store.release(keys, owner);
				}
				catch (RuntimeException ex) {
					logger.debug("Could not clean up after a failed acquire of " + keys.lease()
							+ "; it expires with its ttl", ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			logger.debug("Not cleaning up after a failed acquire of " + keys.lease() + ": shutting down");
		}
	}

	private LockNotAcquiredException notAcquired(LockRequest request, Outcome last) {
		if (last.failure != null) {
			return unavailable(request, last.failure);
		}
		return new LockNotAcquiredException(request.name(), request.key(), "Could not acquire the lock on key '"
				+ request.key() + "' (name '" + request.name() + "') within " + request.waitTime()
				+ ": it is held by another owner" + ((last.holderRemainingMillis >= 0)
						? " for another " + last.holderRemainingMillis + "ms unless released or renewed" : ""));
	}

	private LockBackendUnavailableException unavailable(LockRequest request, DataAccessException ex) {
		return new LockBackendUnavailableException(request.name(), request.key(),
				"Could not acquire the lock on key '" + request.key() + "' (name '" + request.name()
						+ "'): Redis could not be reached (" + ex.getMessage() + ")",
				ex);
	}

	private LockKeys keys(LockRequest request) {
		return LockKeys.of(this.settings.keyPrefix, request.name(), request.key());
	}

	private void validate(LockRequest request) {
		Assert.notNull(request, "request must not be null");
		validateTtl(request.ttl());
		Duration waitTime = request.waitTime();
		if (waitTime.isNegative()) {
			throw new IllegalArgumentException("waitTime must not be negative but was " + waitTime);
		}
		if (waitTime.compareTo(this.settings.maxWaitTime) > 0) {
			throw new IllegalArgumentException(
					"waitTime must be at most " + this.settings.maxWaitTime + " (max-wait-time) but was " + waitTime);
		}
	}

	void validateTtl(Duration ttl) {
		if (ttl == null || ttl.toMillis() < 1) {
			throw new IllegalArgumentException("ttl must be at least 1ms but was " + ttl);
		}
		if (ttl.compareTo(this.settings.maxTtl) > 0) {
			throw new IllegalArgumentException(
					"ttl must be at most " + this.settings.maxTtl + " (max-ttl) but was " + ttl);
		}
	}

	LeaseStore store() {
		return this.store;
	}

	/** Called once by a lease when it is released: stops its renewal. */
	void forget(RedisLease lease) {
		this.held.remove(lease);
		this.renewer.unregister(lease);
	}

	@Override
	public void start() {
		this.running = true;
	}

	/**
	 * Releases every lease this manager still holds, while Redis is still reachable; the manager stays usable.
	 */
	@Override
	public void stop() {
		this.running = false;
		releaseHeldLeases();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Releases every lease this manager still holds, stops renewal and closes the release subscription.
	 */
	@Override
	public void close() {
		releaseHeldLeases();
		this.renewer.close();
		this.notifications.close();
	}

	private void releaseHeldLeases() {
		for (RedisLease lease : this.held) {
			try {
				lease.release();
				logger.info("Released " + lease + " on shutdown");
			}
			catch (RuntimeException ex) {
				logger.warn("Could not release " + lease + " on shutdown: " + ex.getMessage());
			}
		}
	}

	private record Outcome(RedisLease lease, long holderRemainingMillis, DataAccessException failure) {
	}

	private record Settings(String keyPrefix, ExponentialBackOff backOff, boolean renewalEnabled,
			double renewalRatio, Duration maxTtl, Duration maxWaitTime, int maxWaiters, Duration fencingRetention) {
	}

	/**
	 * Configures a {@link RedisLockManager}; every setter validates its argument.
	 */
	public static final class Builder {

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

		private Builder(RedisConnectionFactory connectionFactory) {
			this.connectionFactory = connectionFactory;
		}

		/**
		 * @param keyPrefix prepended to every Redis key and channel (default {@code lock:}); no braces
		 * @return this builder
		 */
		public Builder keyPrefix(String keyPrefix) {
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
		public Builder backOff(Duration initialInterval, double multiplier, Duration maxInterval, Duration jitter) {
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
		public Builder renewal(boolean enabled, double ratio) {
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
		public Builder maxTtl(Duration maxTtl) {
			requirePositive(maxTtl, "maxTtl");
			this.maxTtl = maxTtl;
			return this;
		}

		/**
		 * @param maxWaitTime the longest wait a caller may ask for (default 5m)
		 * @return this builder
		 */
		public Builder maxWaitTime(Duration maxWaitTime) {
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
		public Builder maxWaiters(int maxWaiters) {
			Assert.isTrue(maxWaiters >= 0, () -> "maxWaiters must not be negative but was " + maxWaiters);
			this.maxWaiters = maxWaiters;
			return this;
		}

		/**
		 * @param fencingRetention how long a key's fencing counter is kept after its last acquisition (default 7d);
		 * tokens stay increasing after it expires, see the README
		 * @return this builder
		 */
		public Builder fencingRetention(Duration fencingRetention) {
			requirePositive(fencingRetention, "fencingRetention");
			this.fencingRetention = fencingRetention;
			return this;
		}

		/**
		 * @return a new manager; close it to stop its renewal thread and release its leases
		 */
		public RedisLockManager build() {
			ExponentialBackOff backOff = new ExponentialBackOff(this.initialInterval.toMillis(), this.multiplier);
			backOff.setMaxInterval(this.maxInterval.toMillis());
			backOff.setJitter(this.jitter.toMillis());
			return new RedisLockManager(this.connectionFactory, new Settings(this.keyPrefix, backOff,
					this.renewalEnabled, this.renewalRatio, this.maxTtl, this.maxWaitTime, this.maxWaiters,
					this.fencingRetention));
		}

		private static void requirePositive(Duration value, String name) {
			Assert.isTrue(value != null && value.toMillis() >= 1,
					() -> name + " must be at least 1ms but was " + value);
		}

	}

}
