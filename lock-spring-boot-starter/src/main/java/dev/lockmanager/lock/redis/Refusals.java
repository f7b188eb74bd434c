package dev.lockmanager.lock.redis;

import org.springframework.dao.DataAccessException;

import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.TooManyWaitersException;

/**
 * The exceptions that tell a caller why it got no lease, each naming the key, the lock's name and what to look at.
 */
final class Refusals {

	private Refusals() {
	}

	/** The wait time ran out while another holder kept the key (or Redis kept failing, on the last attempt). */
	static LockNotAcquiredException notAcquired(LockRequest request, LockQueues.Outcome last) {
		if (last.failure() != null) {
			return unavailable(request, last.failure());
		}
		return new LockNotAcquiredException(request.name(), request.key(), "Could not acquire the lock on key '"
				+ request.key() + "' (name '" + request.name() + "') within " + request.waitTime()
				+ ": it is held by another owner" + ((last.holderRemainingMillis() >= 0)
						? " for another " + last.holderRemainingMillis() + "ms unless released or renewed" : ""));
	}

	/** The wait time ran out while queued behind other callers of this process. */
	static LockNotAcquiredException timedOut(LockRequest request) {
		return new LockNotAcquiredException(request.name(), request.key(), "Could not acquire the lock on key '"
				+ request.key() + "' (name '" + request.name() + "') within " + request.waitTime()
				+ ": it is held by another owner");
	}

	static LockNotAcquiredException interrupted(LockRequest request) {
		return new LockNotAcquiredException(request.name(), request.key(),
				"Interrupted while waiting for the lock on key '" + request.key() + "'");
	}

	static TooManyWaitersException tooManyWaiters(LockRequest request, int maxWaiters) {
		return new TooManyWaitersException(request.name(), request.key(), "Could not wait for the lock on key '"
				+ request.key() + "': " + maxWaiters + " callers are already waiting (max-waiters)");
	}

	static LockBackendUnavailableException unavailable(LockRequest request, DataAccessException ex) {
		String denial = PermissionCheck.denial(ex);
		String why = (denial != null)
				? "Redis refused a command the lock manager needs (" + denial + "): grant the Redis user the "
						+ "permissions in the README's Security section"
				: "Redis could not be reached (" + RedisLease.cause(ex) + ")";
		return new LockBackendUnavailableException(request.name(), request.key(),
				"Could not acquire the lock on key '" + request.key() + "' (name '" + request.name() + "'): " + why, ex);
	}

}
