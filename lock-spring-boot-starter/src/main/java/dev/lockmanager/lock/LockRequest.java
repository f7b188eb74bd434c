package dev.lockmanager.lock;

import java.time.Duration;

/**
 * What to lock and how: a lock {@code name} (a namespace, such as the method or resource type), a {@code key}
 * within it, the lease {@code ttl}, how long to {@code waitTime} for the current holder, and whether to
 * {@code renew} the lease while it is held.
 * <p>
 * Names and keys are data: any string is allowed and two different (name, key) pairs never share a lock. Metrics
 * are tagged by name, never by key, so keep names few.
 *
 * @param name the lock's namespace
 * @param key the locked value within the namespace
 * @param ttl how long the lease is valid without renewal
 * @param waitTime how long to wait for the current holder; {@link Duration#ZERO} tries once
 * @param renew whether the lease is renewed in the background until released
 * @param replicas how many replicas must acknowledge the lease before it is granted (Redis {@code WAIT}), or
 * {@link #REPLICAS_AS_CONFIGURED}
 */
public record LockRequest(String name, String key, Duration ttl, Duration waitTime, boolean renew, int replicas) {

	/** The name used by the methods of {@link LockManager} that take only a key. */
	public static final String DEFAULT_NAME = "default";

	/** {@link #replicas()} value that applies {@code distributed-lock.replica-acknowledgement.replicas}. */
	public static final int REPLICAS_AS_CONFIGURED = -1;

	public LockRequest {
		requireText(name, "name");
		requireText(key, "key");
		if (ttl == null) {
			throw new IllegalArgumentException("ttl must not be null");
		}
		if (waitTime == null) {
			throw new IllegalArgumentException("waitTime must not be null");
		}
		if (replicas < REPLICAS_AS_CONFIGURED) {
			throw new IllegalArgumentException("replicas must be at least 0 (or REPLICAS_AS_CONFIGURED) but was "
					+ replicas);
		}
	}

	/**
	 * A request whose replica acknowledgement is as configured.
	 * @param name the lock's namespace
	 * @param key the locked value within the namespace
	 * @param ttl how long the lease is valid without renewal
	 * @param waitTime how long to wait for the current holder
	 * @param renew whether the lease is renewed in the background until released
	 */
	public LockRequest(String name, String key, Duration ttl, Duration waitTime, boolean renew) {
		this(name, key, ttl, waitTime, renew, REPLICAS_AS_CONFIGURED);
	}

	/**
	 * A request for {@code key} under the {@linkplain #DEFAULT_NAME default name}, without waiting, with renewal.
	 * @param key the locked value
	 * @param ttl how long the lease is valid without renewal
	 * @return the request
	 */
	public static LockRequest of(String key, Duration ttl) {
		return new LockRequest(DEFAULT_NAME, key, ttl, Duration.ZERO, true);
	}

	/**
	 * A request for {@code key} under {@code name}, without waiting, with renewal.
	 * @param name the lock's namespace
	 * @param key the locked value within the namespace
	 * @param ttl how long the lease is valid without renewal
	 * @return the request
	 */
	public static LockRequest of(String name, String key, Duration ttl) {
		return new LockRequest(name, key, ttl, Duration.ZERO, true);
	}

	/**
	 * @param waitTime how long to wait for the current holder
	 * @return a copy of this request with the given wait time
	 */
	public LockRequest withWaitTime(Duration waitTime) {
		return new LockRequest(this.name, this.key, this.ttl, waitTime, this.renew, this.replicas);
	}

	/**
	 * @param renew whether the lease is renewed in the background until released
	 * @return a copy of this request with renewal on or off
	 */
	public LockRequest withRenewal(boolean renew) {
		return new LockRequest(this.name, this.key, this.ttl, this.waitTime, renew, this.replicas);
	}

	/**
	 * Asks Redis to confirm that {@code replicas} replicas received the lease before it is granted (Redis
	 * {@code WAIT}, within {@code distributed-lock.replica-acknowledgement.timeout}); otherwise the lease is given
	 * back and the attempt fails as if Redis were unreachable. This narrows the window in which a failover loses a
	 * fresh lease; it does not close it (see the README).
	 * @param replicas how many replicas must acknowledge, 0 for none, or {@link #REPLICAS_AS_CONFIGURED}
	 * @return a copy of this request with the given replica acknowledgement
	 */
	public LockRequest withReplicas(int replicas) {
		return new LockRequest(this.name, this.key, this.ttl, this.waitTime, this.renew, replicas);
	}

	private static void requireText(String value, String argument) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(argument + " must not be null or blank but was "
					+ (value == null ? "null" : "'" + value + "'"));
		}
	}

}
