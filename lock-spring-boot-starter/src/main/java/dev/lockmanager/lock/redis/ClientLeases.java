package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.time.Instant;

import org.springframework.dao.DataAccessException;
import org.springframework.util.Assert;

import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;

/**
 * Leases held by remote clients (the HTTP lock API) rather than by this process. The client proves ownership with
 * the token {@link #acquire} returned, so any instance on the same Redis deployment can renew, release or inspect the
 * lease: the service holds no state. These leases are not renewed in the background, not released on shutdown and
 * not reported to the {@link dev.lockmanager.lock.LeaseListener}s (their acquisitions are observed as
 * {@code lock.acquire}, like the manager's own): the client renews them before their ttl runs out, or they expire.
 * Obtain it from {@link RedisLockManager#clientLeases()}.
 * <p>
 * Limits (max ttl, max wait time, max waiters) are those of the manager. Every method throws
 * {@link LockBackendUnavailableException} when Redis cannot be reached and {@link IllegalArgumentException} for a
 * blank name or key, a ttl out of range or a token that cannot be one this class issued.
 */
public final class ClientLeases {

	private final RedisLockManager manager;

	ClientLeases(RedisLockManager manager) {
		this.manager = manager;
	}

	/**
	 * Acquires a lease for a client, waiting up to the request's wait time; the request's renewal flag is ignored.
	 * @param request what to lock and how
	 * @return the grant, with the token the client must present
	 * @throws LockNotAcquiredException when the lease could not be acquired in time
	 */
	public Grant acquire(LockRequest request) {
		RedisLease lease = this.manager.acquireForClient(request);
		return new Grant(lease.name(), lease.key(), lease.owner(), lease.fencingToken(), request.ttl(),
				lease.acquiredAt());
	}

	/**
	 * Extends a client's lease to {@code ttl} from now, if the token still holds it. Repeating a renewal does no harm.
	 * @return whether the lease was extended; {@code false} when it expired, was released or belongs to another token
	 */
	public boolean renew(String name, String key, String token, Duration ttl) {
		LockKeys keys = keys(name, key, token);
		this.manager.validateTtl(ttl);
		LeaseStore.Renewal renewal;
		try {
			renewal = this.manager.store().renew(new LeaseStore.Claim(keys, token, ttl.toMillis()));
		}
		catch (DataAccessException ex) {
			renewal = LeaseStore.Renewal.failed(ex);
		}
		if (renewal.failure() != null) {
			throw unavailable(name, key, "renew", renewal.failure());
		}
		return renewal.extended();
	}

	/**
	 * Releases a client's lease if the token still holds it; a lease held by another token is never deleted.
	 * @return whether the lease was deleted; {@code false} when it had expired, was already released or belongs to
	 * another token
	 */
	public boolean release(String name, String key, String token) {
		LockKeys keys = keys(name, key, token);
		try {
			return this.manager.store().release(keys, token);
		}
		catch (DataAccessException ex) {
			throw unavailable(name, key, "release", ex);
		}
	}

	/**
	 * Reads whether a lock is held, by anyone, without changing it.
	 * @return the lock's state; never the holder's token
	 */
	public LockState inspect(String name, String key) {
		LockKeys keys = keys(name, key);
		LeaseStore.Inspection inspection;
		try {
			inspection = this.manager.store().inspect(keys);
		}
		catch (DataAccessException ex) {
			throw unavailable(name, key, "inspect", ex);
		}
		return new LockState(name, key, inspection.held(), Duration.ofMillis(inspection.remainingMillis()),
				inspection.fencingToken());
	}

	private LockKeys keys(String name, String key, String token) {
		Assert.isTrue(OwnerTokens.isWellFormed(token), "token must be the 32 hexadecimal characters issued on acquire");
		return keys(name, key);
	}

	private LockKeys keys(String name, String key) {
		Assert.isTrue(name != null && !name.isBlank(), "name must not be null or blank");
		Assert.isTrue(key != null && !key.isBlank(), "key must not be null or blank");
		return this.manager.keys(name, key);
	}

	private static LockBackendUnavailableException unavailable(String name, String key, String operation,
			DataAccessException ex) {
		return new LockBackendUnavailableException(name, key, "Could not " + operation + " the lease on key '" + key
				+ "' (name '" + name + "'): Redis could not be reached (" + RedisLease.cause(ex) + ")", ex);
	}

	/**
	 * A lease granted to a client.
	 * @param name the lock's namespace
	 * @param key the locked key
	 * @param token the secret that proves ownership: give it only to the client (it is not in {@link #toString()})
	 * @param fencingToken the lease's fencing token
	 * @param ttl the lease's validity from {@code acquiredAt}
	 * @param acquiredAt when the lease was granted, by this instance's clock
	 */
	public record Grant(String name, String key, String token, long fencingToken, Duration ttl, Instant acquiredAt) {

		@Override
		public String toString() {
			return "Grant[name=" + this.name + ", key=" + this.key + ", fencingToken=" + this.fencingToken + ", ttl="
					+ this.ttl + "]";
		}

	}

	/**
	 * What Redis says about a lock.
	 * @param name the lock's namespace
	 * @param key the locked key
	 * @param held whether someone holds it
	 * @param remaining how long the holder's lease still runs ({@link Duration#ZERO} when free)
	 * @param fencingToken the holder's fencing token (0 when free)
	 */
	public record LockState(String name, String key, boolean held, Duration remaining, long fencingToken) {
	}

}
