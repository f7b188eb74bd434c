package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.micrometer.observation.Observation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.Assert;
import org.springframework.util.backoff.BackOffExecution;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.TooManyWaitersException;

/**
 * {@link LockManager} on Redis (standalone, Sentinel or Cluster) through a spring-data-redis connection factory.
 * <p>
 * Acquire and release are one round trip each. Waiters sleep until the holder releases (one shared pub/sub
 * subscriber connection per manager; sharded pub/sub on a Redis 7 Cluster), with exponential backoff and jitter as
 * the fallback, never longer than the holder's remaining ttl or the caller's deadline. Renewed leases are extended by
 * one background thread at a fraction of their ttl. Create one with {@link #builder(RedisConnectionFactory)};
 * {@link #close()} stops renewal and releases the leases still held. In a Spring application context the leases still
 * held are released when the context stops, after the web server and before the Redis connection factory (see
 * {@link #PHASE}).
 */
public final class RedisLockManager implements LockManager, SmartLifecycle, AutoCloseable {

	/**
	 * Lifecycle phase: stopped after the web server (so in-flight requests finish and release their leases first)
	 * and before the Redis connection factory (phase 0), so the remaining leases can still be released.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final Log logger = LogFactory.getLog(RedisLockManager.class);

	private final ManagerSettings settings;

	private final LeaseStore store;

	private final ReleaseNotifications notifications;

	private final LeaseRenewer renewer;

	private final OrphanCleanup cleanup;

	private final Semaphore waiterPermits;

	private final Set<RedisLease> held = ConcurrentHashMap.newKeySet();

	private final LeaseEvents events;

	/** Remote clients' acquisitions: observed, but not reported to the listeners, which hear of this process's. */
	private final LeaseEvents clientEvents;

	private final ClientLeases clientLeases;

	private volatile boolean running;

	RedisLockManager(RedisConnectionFactory connectionFactory, ManagerSettings settings) {
		this.settings = settings;
		// Decided once: the releases' PUBLISH or SPUBLISH must match how the waiters subscribe
		boolean sharded = settings.quorumNodes().isEmpty() && ShardedPubSub.isAvailable(connectionFactory);
		this.store = settings.quorumNodes().isEmpty() ? node(connectionFactory, settings, sharded)
				: new QuorumLeaseStore(
						settings.quorumNodes().stream().map((node) -> node(node, settings, false)).toList(),
						settings.quorumNodeTimeout().toNanos());
		this.notifications = settings.quorumNodes().isEmpty() ? new ReleaseNotifications(connectionFactory, sharded)
				: new ReleaseNotifications(settings.quorumNodes());
		this.renewer = new LeaseRenewer(this.store, settings.renewalRatio());
		this.cleanup = new OrphanCleanup(this.store);
		this.waiterPermits = new Semaphore(settings.maxWaiters());
		this.events = new LeaseEvents(settings.listeners(), settings.observations());
		this.clientEvents = new LeaseEvents(List.of(), settings.observations());
		this.clientLeases = new ClientLeases(this);
	}

	private static RedisLeaseStore node(RedisConnectionFactory connectionFactory, ManagerSettings settings,
			boolean shardedPublish) {
		StringRedisTemplate redis = new StringRedisTemplate(connectionFactory);
		// The scripts use the connection only inside the template's callback: no close-suppressing proxy needed.
		redis.setExposeConnection(true);
		Duration commandTimeout = ((LettuceConnectionFactory) connectionFactory).getClientConfiguration()
			.getCommandTimeout();
		RedisLeaseStore store = new RedisLeaseStore(redis, settings.fencingRetention().toMillis(), commandTimeout,
				settings.replicaTimeout(), shardedPublish);
		if (settings.replicas() > 0) {
			store.requireReplicaTimeoutBelowCommandTimeout();
		}
		return store;
	}

	/**
	 * @param connectionFactory the Redis connections to use: a {@link LettuceConnectionFactory}, whose pub/sub
	 * subscriptions do not block the subscribing thread
	 * @return a builder with the defaults documented on its methods
	 */
	public static RedisLockManagerBuilder builder(RedisConnectionFactory connectionFactory) {
		Assert.notNull(connectionFactory, "connectionFactory must not be null");
		Assert.isInstanceOf(LettuceConnectionFactory.class, connectionFactory,
				"Lock Manager needs spring-data-redis with Lettuce (a LettuceConnectionFactory) but got");
		return new RedisLockManagerBuilder(connectionFactory);
	}

	@Override
	public Lease acquire(LockRequest request) {
		validate(request);
		return observedObtain(request, true);
	}

	/**
	 * Acquires a lease for a remote client: it is neither renewed nor released by this manager, nor reported to the
	 * listeners; the acquisition is observed like any other.
	 */
	RedisLease acquireForClient(LockRequest request) {
		validate(request);
		return observedObtain(request, false);
	}

	private RedisLease observedObtain(LockRequest request, boolean local) {
		LeaseEvents events = local ? this.events : this.clientEvents;
		long start = System.nanoTime();
		Observation observation = events.startAcquire(request);
		try (Observation.Scope scope = observation.openScope()) {
			RedisLease lease = obtain(request, local);
			events.acquired(observation, lease, start);
			return lease;
		}
		catch (LockNotAcquiredException ex) {
			events.notAcquired(observation, request, start, ex);
			throw ex;
		}
		catch (RuntimeException ex) {
			observation.error(ex).stop();
			throw ex;
		}
	}

	private RedisLease obtain(LockRequest request, boolean local) {
		LockKeys keys = keys(request);
		long deadline = System.nanoTime() + request.waitTime().toNanos();
		Outcome first = attempt(request, keys, local);
		if (first.lease != null) {
			return first.lease;
		}
		if (request.waitTime().isZero()) {
			throw notAcquired(request, first);
		}
		if (!this.waiterPermits.tryAcquire()) {
			throw new TooManyWaitersException(request.name(), request.key(), "Could not wait for the lock on key '"
					+ request.key() + "': " + this.settings.maxWaiters() + " callers are already waiting (max-waiters)");
		}
		try (ReleaseNotifications.Waiter waiter = this.notifications.register(keys.channel())) {
			return await(request, keys, deadline, waiter, local);
		}
		finally {
			this.waiterPermits.release();
		}
	}

	private RedisLease await(LockRequest request, LockKeys keys, long deadline, ReleaseNotifications.Waiter waiter,
			boolean local) {
		BackOffExecution backOff = this.settings.backOff().start();
		while (true) {
			Outcome outcome = attempt(request, keys, local);
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
		long start = System.nanoTime();
		Observation observation = this.events.startAcquire(request);
		Outcome outcome;
		try (Observation.Scope scope = observation.openScope()) {
			outcome = attempt(request, keys(request), true);
		}
		catch (RuntimeException ex) {
			observation.error(ex).stop();
			throw ex;
		}
		if (outcome.lease != null) {
			this.events.acquired(observation, outcome.lease, start);
			return Optional.of(outcome.lease);
		}
		if (outcome.failure != null) {
			LockBackendUnavailableException reason = unavailable(request, outcome.failure);
			this.events.notAcquired(observation, request, start, reason);
			throw reason;
		}
		this.events.held(observation, request, start, () -> new LockNotAcquiredException(request.name(),
				request.key(), "The lock on key '" + request.key() + "' (name '" + request.name()
						+ "') is held by another owner"));
		return Optional.empty();
	}

	/**
	 * One acquisition attempt under a fresh owner token. A failed attempt may still have been applied by Redis (a
	 * timeout is an unknown outcome), so its token is released in the background.
	 */
	private Outcome attempt(LockRequest request, LockKeys keys, boolean local) {
		String owner = OwnerTokens.next();
		long sentAt = System.nanoTime();
		LeaseStore.Attempt attempt;
		try {
			attempt = this.store.acquire(keys, owner, request.ttl().toMillis(),
					(request.replicas() != LockRequest.REPLICAS_AS_CONFIGURED) ? request.replicas()
							: this.settings.replicas());
		}
		catch (DataAccessException ex) {
			this.cleanup.release(keys, owner, sentAt + request.ttl().toNanos());
			return new Outcome(null, -1, ex);
		}
		if (!attempt.acquired()) {
			return new Outcome(null, attempt.holderRemainingMillis(), null);
		}
		boolean renewing = local && request.renew() && this.settings.renewalEnabled();
		RedisLease lease = new RedisLease(this, request.name(), request.key(), keys, owner, attempt.fencingToken(),
				request.ttl(), sentAt, renewing);
		if (local) {
			this.held.add(lease);
		}
		if (renewing) {
			this.renewer.register(lease);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Acquired " + lease);
		}
		return new Outcome(lease, 0, null);
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
						+ "'): Redis could not be reached (" + RedisLease.cause(ex) + ")",
				ex);
	}

	private LockKeys keys(LockRequest request) {
		return keys(request.name(), request.key());
	}

	private void validate(LockRequest request) {
		Assert.notNull(request, "request must not be null");
		validateTtl(request.ttl());
		Duration waitTime = request.waitTime();
		if (waitTime.isNegative()) {
			throw new IllegalArgumentException("waitTime must not be negative but was " + waitTime);
		}
		if (waitTime.compareTo(this.settings.maxWaitTime()) > 0) {
			throw new IllegalArgumentException(
					"waitTime must be at most " + this.settings.maxWaitTime() + " (max-wait-time) but was " + waitTime);
		}
	}

	void validateTtl(Duration ttl) {
		if (ttl == null || ttl.toMillis() < 1) {
			throw new IllegalArgumentException("ttl must be at least 1ms but was " + ttl);
		}
		if (ttl.compareTo(this.settings.maxTtl()) > 0) {
			throw new IllegalArgumentException(
					"ttl must be at most " + this.settings.maxTtl() + " (max-ttl) but was " + ttl);
		}
	}

	LeaseStore store() {
		return this.store;
	}

	LeaseEvents events() {
		return this.events;
	}

	LockKeys keys(String name, String key) {
		return LockKeys.of(this.settings.keyPrefix(), name, key);
	}

	/**
	 * The leases this manager holds for this process, oldest first; leases taken for remote clients are not
	 * included.
	 * @return a snapshot of the held leases
	 */
	public List<Lease> heldLeases() {
		return this.held.stream()
			.filter(RedisLease::isActive)
			.sorted(Comparator.comparing(RedisLease::acquiredAt))
			.map(Lease.class::cast)
			.toList();
	}

	/**
	 * Releases the leases this manager holds on a key, on behalf of an operator: each is deleted in Redis and
	 * reported lost to its holder (whose {@link Lease#release()} then throws {@link LeaseLostException}). Leases held
	 * by other processes are not touched.
	 * @param name the lock's namespace
	 * @param key the locked key
	 * @param reason why, recorded in the holder's {@link LeaseLostException} and in the log
	 * @return how many leases were released (0 when this manager holds none on the key)
	 * @throws LockBackendUnavailableException when Redis could not be reached; the leases are then lost locally and
	 * expire in Redis within their ttl, as they are no longer renewed
	 */
	public int forceRelease(String name, String key, String reason) {
		Assert.hasText(reason, "reason must not be empty");
		int released = 0;
		for (RedisLease lease : this.held) {
			if (lease.name().equals(name) && lease.key().equals(key) && lease.revoke(reason)) {
				released++;
			}
		}
		return released;
	}

	/**
	 * Checks that Redis answers and has the lock scripts loaded (loading them if not), for health checks. Waits for
	 * the replies at most the Redis command timeout (the node timeout in quorum mode, where the nodes are checked in
	 * parallel); opening a connection first is bounded by the client's connect timeout.
	 * @return each node's state, and whether enough of them are reachable for leases to be granted
	 */
	public BackendStatus checkBackend() {
		return this.store.check();
	}

	/**
	 * @return operations on leases held by remote clients through their token (the HTTP lock API)
	 */
	public ClientLeases clientLeases() {
		return this.clientLeases;
	}

	/**
	 * Called by a lease whose deletion failed: it is retried in the background while the lease could still exist.
	 */
	void releaseInBackground(LockKeys keys, String owner, long expiresAtNanos) {
		this.cleanup.release(keys, owner, expiresAtNanos);
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
		this.cleanup.close();
		this.notifications.close();
		if (this.store instanceof QuorumLeaseStore quorum) {
			quorum.close();
		}
		if (this.settings.ownsQuorumNodes()) {
			this.settings.quorumNodes().forEach((node) -> ((LettuceConnectionFactory) node).destroy());
		}
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

}
