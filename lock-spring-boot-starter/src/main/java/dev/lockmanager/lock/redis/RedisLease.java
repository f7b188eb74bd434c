package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseLostException;
import dev.lockmanager.lock.LockBackendUnavailableException;

/**
 * A lease held in Redis under a random owner token. Validity is tracked on the monotonic clock from the moment the
 * acquire or renewal was sent, so {@link #remaining()} never overstates what Redis grants.
 */
final class RedisLease implements Lease {

	private static final Log logger = LogFactory.getLog(RedisLease.class);

	private enum State {

		HELD, LOST, RELEASED

	}

	private final RedisLockManager manager;

	private final String name;

	private final String key;

	private final LockKeys keys;

	private final String owner;

	private final long fencingToken;

	private final boolean renewing;

	private final Instant acquiredAt;

	private final long acquiredAtNanos;

	private final AtomicReference<State> state = new AtomicReference<>(State.HELD);

	private volatile long ttlNanos;

	private volatile long validFromNanos;

	/** Set once, before the state becomes LOST. */
	private final AtomicReference<String> lossReason = new AtomicReference<>();

	RedisLease(RedisLockManager manager, String name, String key, LockKeys keys, String owner, long fencingToken,
			Duration ttl, long sentAtNanos, boolean renewing) {
		this.manager = manager;
		this.name = name;
		this.key = key;
		this.keys = keys;
		this.owner = owner;
		this.fencingToken = fencingToken;
		this.renewing = renewing;
		this.ttlNanos = ttl.toNanos();
		this.validFromNanos = sentAtNanos;
		this.acquiredAtNanos = sentAtNanos;
		// When the acquire was sent, like the validity: a ttl added to it never overstates the lease
		this.acquiredAt = Instant.now().minusNanos(System.nanoTime() - sentAtNanos);
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public String key() {
		return this.key;
	}

	@Override
	public long fencingToken() {
		return this.fencingToken;
	}

	@Override
	public Instant acquiredAt() {
		return this.acquiredAt;
	}

	LockKeys keys() {
		return this.keys;
	}

	/** The owner token: whoever has it holds the lease. Never logged. */
	String owner() {
		return this.owner;
	}

	@Override
	public Duration remaining() {
		return (this.state.get() == State.HELD) ? Duration.ofNanos(remainingNanos(System.nanoTime())) : Duration.ZERO;
	}

	@Override
	public boolean isHeld() {
		return this.state.get() == State.HELD && remainingNanos(System.nanoTime()) > 0;
	}

	@Override
	public void renew(Duration ttl) {
		this.manager.validateTtl(ttl);
		if (this.state.get() != State.HELD) {
			throw lost("cannot be renewed: it was " + ((this.state.get() == State.LOST) ? "lost" : "released"));
		}
		long sentAt = System.nanoTime();
		LeaseStore.Renewal renewal;
		try {
			renewal = this.manager.store().renew(claim(ttl.toMillis()));
		}
		catch (DataAccessException ex) {
			renewal = LeaseStore.Renewal.failed(ex);
		}
		if (renewal.failure() != null) {
			this.manager.events().renewalFailed(this, renewal.failure());
			throw new LockBackendUnavailableException(this.name, this.key, "Could not renew the lease on key '"
					+ this.key + "': Redis could not be reached (" + cause(renewal.failure()) + ")", renewal.failure());
		}
		if (!renewal.extended()) {
			markLost("renewal was refused: the lease had expired or was taken by another holder");
			throw lost("was lost: " + this.lossReason.get());
		}
		this.ttlNanos = ttl.toNanos();
		this.validFromNanos = sentAt;
		this.manager.events().renewed(this);
	}

	@Override
	public void release() {
		State previous = this.state.getAndSet(State.RELEASED);
		if (previous == State.RELEASED) {
			return;
		}
		this.manager.forget(this);
		if (previous == State.LOST) {
			throw lostAtRelease("was lost before it was released: " + this.lossReason.get());
		}
		boolean deleted;
		try {
			deleted = this.manager.release(this);
		}
		catch (DataAccessException ex) {
			long now = System.nanoTime();
			long remaining = remainingNanos(now);
			if (remaining > 0) {
				logger.warn("Could not release the lease on key '" + this.key + "' (Redis could not be reached: "
						+ cause(ex) + "); retrying in the background, and it expires within "
						+ Duration.ofNanos(remaining));
				this.manager.releaseInBackground(this.keys, this.owner, now + remaining);
				this.manager.events().released(this, this.acquiredAtNanos);
				return;
			}
			this.manager.events().lost(this, "it expired before it could be released");
			throw lostAtRelease("expired before it could be released, and Redis could not be reached to check it");
		}
		if (!deleted) {
			String reason = (remainingNanos(System.nanoTime()) > 0)
					? "was removed or taken by another holder before it was released"
					: "expired before it was released (its ttl ran out)";
			this.manager.events().lost(this, "it " + reason);
			throw lostAtRelease(reason);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Released " + this);
		}
		this.manager.events().released(this, this.acquiredAtNanos);
	}

	private LeaseLostException lostAtRelease(String what) {
		this.manager.events().releasedAfterLoss(this);
		return lost(what);
	}

	/**
	 * Takes the lease away from its holder on an operator's request: marks it lost, stops its renewal and deletes it
	 * in Redis.
	 * @return whether it was still held
	 */
	boolean revoke(String reason) {
		if (!markLost("it was force-released: " + reason)) {
			return false;
		}
		this.manager.forget(this);
		logger.warn("Force-released the lease on key '" + this.key + "' (name '" + this.name + "', fencing token "
				+ this.fencingToken + "): " + reason);
		try {
			this.manager.store().release(this.keys, this.owner);
		}
		catch (DataAccessException ex) {
			long now = System.nanoTime();
			this.manager.releaseInBackground(this.keys, this.owner, now + remainingNanos(now));
			throw new LockBackendUnavailableException(this.name, this.key, "Could not delete the lease on key '"
					+ this.key + "' in Redis (" + cause(ex) + "); it is no longer renewed, deleting it is retried in "
					+ "the background, and it expires within its ttl", ex);
		}
		return true;
	}

	@Override
	public void close() {
		release();
	}

	boolean renewing() {
		return this.renewing;
	}

	LeaseStore.Claim claim() {
		return claim(Duration.ofNanos(this.ttlNanos).toMillis());
	}

	private LeaseStore.Claim claim(long ttlMillis) {
		return new LeaseStore.Claim(this.keys, this.owner, ttlMillis);
	}

	/** When the background renewal is due, on the monotonic clock. */
	long renewalDueNanos(double ratio) {
		return this.validFromNanos + (long) (this.ttlNanos * ratio);
	}

	long ttlNanos() {
		return this.ttlNanos;
	}

	void renewed(long sentAtNanos) {
		this.validFromNanos = sentAtNanos;
		this.manager.events().renewed(this);
	}

	/** The store refused the renewal: another holder has the key, or it expired. */
	void renewalRefused() {
		if (markLost("renewal was refused: the lease had expired or was taken by another holder")) {
			logger.warn("Lost the lease on key '" + this.key + "' (name '" + this.name + "', fencing token "
					+ this.fencingToken + "): " + this.lossReason.get());
		}
	}

	/**
	 * The renewal could not reach the store: the lease is lost once its validity has run out.
	 * @return whether the lease is still held
	 */
	boolean renewalFailed(RuntimeException ex) {
		if (remainingNanos(System.nanoTime()) > 0) {
			logger.debug("Could not renew the lease on key '" + this.key + "'; retrying", ex);
			this.manager.events().renewalFailed(this, ex);
			return true;
		}
		if (markLost("it expired while Redis could not be reached to renew it (" + cause(ex) + ")")) {
			logger.warn("Lost the lease on key '" + this.key + "' (name '" + this.name + "', fencing token "
					+ this.fencingToken + "): " + this.lossReason.get());
		}
		return false;
	}

	/**
	 * Whether the lease ran out or was lost. A lease being released is not gone: its release decides who holds the
	 * key next.
	 */
	boolean isGone() {
		return this.state.get() == State.LOST || remainingNanos(System.nanoTime()) == 0;
	}

	/** How long the lease is still valid by this process's clock, whatever its state. */
	long validNanos() {
		return remainingNanos(System.nanoTime());
	}

	boolean isActive() {
		return this.state.get() == State.HELD;
	}

	private boolean markLost(String reason) {
		if (this.state.get() != State.HELD || !this.lossReason.compareAndSet(null, reason)
				|| !this.state.compareAndSet(State.HELD, State.LOST)) {
			return false;
		}
		this.manager.lost(this);
		this.manager.events().lost(this, reason);
		return true;
	}

	private long remainingNanos(long now) {
		long ttl = this.ttlNanos;
		return Math.max(0, this.validFromNanos + ttl - this.manager.store().driftNanos(ttl) - now);
	}

	private LeaseLostException lost(String what) {
		return new LeaseLostException(this.name, this.key, this.fencingToken,
				"The lease on key '" + this.key + "' (name '" + this.name + "', fencing token " + this.fencingToken
						+ ") " + what);
	}

	@Override
	public String toString() {
		return "Lease[name=" + this.name + ", key=" + this.key + ", fencingToken=" + this.fencingToken + ", state="
				+ this.state.get() + "]";
	}

	/** The root cause's message: spring-data-redis wraps Lettuce's errors as "Redis exception". */
	static String cause(Throwable ex) {
		return NestedExceptionUtils.getMostSpecificCause(ex).getMessage();
	}

}
