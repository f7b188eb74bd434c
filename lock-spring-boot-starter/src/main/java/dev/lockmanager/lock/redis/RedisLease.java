package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.util.List;
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

	private final AtomicReference<State> state = new AtomicReference<>(State.HELD);

	private volatile long ttlNanos;

	private volatile long validFromNanos;

	private volatile String lossReason;

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
		boolean extended;
		try {
			extended = this.manager.store().renew(List.of(claim(ttl.toMillis()))).get(0);
		}
		catch (DataAccessException ex) {
			throw new LockBackendUnavailableException(this.name, this.key,
					"Could not renew the lease on key '" + this.key + "': Redis could not be reached (" + cause(ex)
							+ ")",
					ex);
		}
		if (!extended) {
			markLost("renewal was refused: the lease had expired or was taken by another holder");
			throw lost("was lost: " + this.lossReason);
		}
		this.ttlNanos = ttl.toNanos();
		this.validFromNanos = sentAt;
	}

	@Override
	public void release() {
		State previous = this.state.getAndSet(State.RELEASED);
		if (previous == State.RELEASED) {
			return;
		}
		this.manager.forget(this);
		if (previous == State.LOST) {
			throw lost("was lost before it was released: " + this.lossReason);
		}
		boolean deleted;
		try {
			deleted = this.manager.store().release(this.keys, this.owner);
		}
		catch (DataAccessException ex) {
			long remaining = remainingNanos(System.nanoTime());
			if (remaining > 0) {
				logger.warn("Could not release the lease on key '" + this.key + "' (Redis could not be reached: "
						+ cause(ex) + "); it expires within " + Duration.ofNanos(remaining));
				return;
			}
			throw lost("expired before it could be released, and Redis could not be reached to check it");
		}
		if (!deleted) {
			throw lost((remainingNanos(System.nanoTime()) > 0)
					? "was removed or taken by another holder before it was released"
					: "expired before it was released (its ttl ran out)");
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Released " + this);
		}
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
	}

	/** The store refused the renewal: another holder has the key, or it expired. */
	void renewalRefused() {
		if (markLost("renewal was refused: the lease had expired or was taken by another holder")) {
			logger.warn("Lost the lease on key '" + this.key + "' (name '" + this.name + "', fencing token "
					+ this.fencingToken + "): " + this.lossReason);
		}
	}

	/**
	 * The renewal could not reach the store: the lease is lost once its validity has run out.
	 * @return whether the lease is still held
	 */
	boolean renewalFailed(RuntimeException ex) {
		if (remainingNanos(System.nanoTime()) > 0) {
			logger.debug("Could not renew the lease on key '" + this.key + "'; retrying", ex);
			return true;
		}
		if (markLost("it expired while Redis could not be reached to renew it (" + cause(ex) + ")")) {
			logger.warn("Lost the lease on key '" + this.key + "' (name '" + this.name + "', fencing token "
					+ this.fencingToken + "): " + this.lossReason);
		}
		return false;
	}

	boolean isActive() {
		return this.state.get() == State.HELD;
	}

	private boolean markLost(String reason) {
		this.lossReason = reason;
		return this.state.compareAndSet(State.HELD, State.LOST);
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
