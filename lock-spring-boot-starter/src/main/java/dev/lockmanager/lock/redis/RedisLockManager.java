package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import io.micrometer.observation.Observation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.Assert;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;

/**
 * {@link LockManager} on Redis (standalone, Sentinel or Cluster) through a spring-data-redis connection factory.
 * <p>
 * Acquire and release are one round trip each. Callers of one manager waiting for the same key queue locally: one of
 * them sleeps until a release (one shared pub/sub subscriber connection per manager; sharded pub/sub on a Redis 7
 * Cluster), with exponential backoff and jitter as the fallback, never longer than the holder's remaining ttl or the
 * caller's deadline; a holder that releases while others are queued hands them the lease in one round trip, within a
 * fairness bound (see {@link RedisLockManagerBuilder#handoff}). Renewed leases are extended by
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

	private final HeldLeases held = new HeldLeases();

	private final LockQueues queues;

	private final LeaseEvents events;

	/** Remote clients' acquisitions: observed, but not reported to the listeners, which hear of this process's. */
	private final LeaseEvents clientEvents;

	private final ClientLeases clientLeases;

	private volatile boolean running;

	RedisLockManager(RedisConnectionFactory connectionFactory, ManagerSettings settings) {
		this.settings = settings;
		// Decided once: the releases' PUBLISH or SPUBLISH must match how the waiters subscribe
		boolean sharded = settings.quorumNodes().isEmpty() && ShardedPubSub.isAvailable(connectionFactory);
		// This manager in the keys' lines, where processes take turns: on one store only (a quorum's nodes would
		// each keep a line of their own)
		String process = OwnerTokens.next();
		this.store = settings.quorumNodes().isEmpty()
				? node(connectionFactory, settings, sharded, process, settings.handoffSlice())
				: new QuorumLeaseStore(
						settings.quorumNodes().stream().map((node) -> node(node, settings, false, process, Duration.ZERO)).toList(),
						settings.quorumNodeTimeout().toNanos());
		this.notifications = settings.quorumNodes().isEmpty()
				? new ReleaseNotifications(connectionFactory, sharded, settings.keyPrefix(), process)
				: new ReleaseNotifications(settings.quorumNodes(), settings.keyPrefix());
		this.renewer = new LeaseRenewer(this.store, settings.renewalRatio());
		this.cleanup = new OrphanCleanup(this.store);
		this.queues = new LockQueues(this, settings, this.store, this.notifications, this.cleanup);
		this.events = new LeaseEvents(settings.listeners(), settings.observations());
		this.clientEvents = new LeaseEvents(List.of(), settings.observations());
		this.clientLeases = new ClientLeases(this);
	}

	private static RedisLeaseStore node(RedisConnectionFactory connectionFactory, ManagerSettings settings,
			boolean shardedPublish, String process, Duration turnTimeout) {
		StringRedisTemplate redis = new StringRedisTemplate(connectionFactory);
		// The scripts use the connection only inside the template's callback: no close-suppressing proxy needed.
		redis.setExposeConnection(true);
		Duration commandTimeout = ((LettuceConnectionFactory) connectionFactory).getClientConfiguration()
			.getCommandTimeout();
		RedisLeaseStore store = new RedisLeaseStore(redis, settings.fencingRetention().toMillis(), commandTimeout,
				settings.replicaTimeout(), shardedPublish, process, turnTimeout);
		if (settings.replicas() > 0) {
			store.requireReplicaTimeoutBelowCommandTimeout();
		}
		new PermissionCheck(settings.keyPrefix(), ((LettuceConnectionFactory) connectionFactory).isClusterAware(),
				shardedPublish, settings.replicas() > 0)
			.verify(redis, store.name(), commandTimeout);
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
		return this.queues.acquire(request, keys(request), local);
	}

	@Override
	public Optional<Lease> tryAcquire(LockRequest request) {
		validate(request);
		long start = System.nanoTime();
		Observation observation = this.events.startAcquire(request);
		LockQueues.Outcome outcome;
		try (Observation.Scope scope = observation.openScope()) {
			outcome = this.queues.attempt(request, keys(request), true, 0);
		}
		catch (RuntimeException ex) {
			observation.error(ex).stop();
			throw ex;
		}
		if (outcome.lease() != null) {
			this.events.acquired(observation, outcome.lease(), start);
			return Optional.of(outcome.lease());
		}
		if (outcome.failure() != null) {
			LockBackendUnavailableException reason = Refusals.unavailable(request, outcome.failure());
			this.events.notAcquired(observation, request, start, reason);
			throw reason;
		}
		this.events.held(observation, request, start, () -> new LockNotAcquiredException(request.name(),
				request.key(), "The lock on key '" + request.key() + "' (name '" + request.name()
						+ "') is held by another owner"));
		return Optional.empty();
	}

	/**
	 * Makes the lease object of a granted acquisition or handoff: this process's own is registered as held and, when
	 * asked, renewed.
	 */
	RedisLease grant(LockRequest request, LockKeys keys, String owner, long fencingToken, long sentAtNanos,
			boolean local) {
		boolean renewing = local && request.renew() && this.settings.renewalEnabled();
		RedisLease lease = new RedisLease(this, request.name(), request.key(), keys, owner, fencingToken,
				request.ttl(), sentAtNanos, renewing);
		if (local) {
			this.held.add(lease);
		}
		if (renewing) {
			this.renewer.register(lease);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Acquired " + lease);
		}
		return lease;
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
		return this.held.snapshot();
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
		return this.held.revoke(name, key, reason);
	}

	/**
	 * Checks that Redis answers and has the lock scripts loaded (loading them if not), for health checks. Waits for
	 * the replies at most the Redis command timeout (the node timeout in quorum mode, where the nodes are checked in
	 * parallel); opening a connection first is bounded by the client's connect timeout.
	 * @return each node's state, and whether enough of them are reachable for leases to be granted
	 */
	public BackendStatus checkBackend() {
		return checkBackend(ChronoUnit.FOREVER.getDuration());
	}

	/**
	 * Checks the backend as {@link #checkBackend()} does, waiting for the replies at most {@code timeout} (and at
	 * most the command timeout, or the node timeout in quorum mode): a node that answers later is reported
	 * unreachable.
	 * @param timeout the longest wait for the replies
	 * @return each node's state, and whether enough of them are reachable for leases to be granted
	 */
	public BackendStatus checkBackend(Duration timeout) {
		Assert.notNull(timeout, "timeout must not be null");
		return this.store.check(timeout);
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

	/**
	 * Called by a lease on release: deletes it, or hands it to a caller of this manager waiting for its key.
	 * @return whether it was still held
	 * @throws DataAccessException when Redis could not be reached
	 */
	boolean release(RedisLease lease) {
		return this.queues.release(lease);
	}

	/** Called once by a lease when it is lost. */
	void lost(RedisLease lease) {
		this.queues.lost(lease);
	}

	/** Called once by a lease when it is released or revoked: stops its renewal. */
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
		this.held.releaseAll();
	}


}
