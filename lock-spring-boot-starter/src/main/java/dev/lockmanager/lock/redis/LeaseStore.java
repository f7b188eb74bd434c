package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.springframework.dao.DataAccessException;

/**
 * The storage contract behind {@link RedisLockManager}: each operation is atomic on the store and compares the owner
 * token, so a former holder can never extend or delete a later holder's lease. Failures to reach the store surface
 * as {@link org.springframework.dao.DataAccessException}.
 */
interface LeaseStore {

	/**
	 * Sets the lease if the key is free and issues the next fencing token. With {@code replicas > 0} the lease is
	 * granted only once that many replicas acknowledged it (Redis {@code WAIT}); otherwise it is given back and a
	 * {@link org.springframework.dao.DataAccessException} thrown.
	 * @param lineMillis when not acquired, how long this process keeps its place in the key's line of waiting
	 * processes, where a store keeps one (0: the caller does not wait)
	 */
	Attempt acquire(LockKeys keys, String owner, long ttlMillis, int replicas, long lineMillis);

	/**
	 * As {@link #acquire(LockKeys, String, long, int, long)}, waiting for the answer at most {@code timeout} (and at
	 * most the command timeout, or the node timeout of a quorum). An attempt given up on may still be applied: its
	 * outcome is unknown, like that of any attempt that failed.
	 */
	default Attempt acquire(LockKeys keys, String owner, long ttlMillis, int replicas, long lineMillis,
			Duration timeout) {
		return acquire(keys, owner, ttlMillis, replicas, lineMillis);
	}

	/**
	 * This process no longer waits for the key: it leaves the key's line, and gives up a turn promised to it. Waits
	 * for the answer at most {@code timeout}; left unanswered, the request still goes through, and a place not given
	 * up expires by itself.
	 */
	default void leaveLine(LockKeys keys, Duration timeout) {
	}

	/**
	 * Hands a lease straight from its holder to a new owner, with a new ttl and the next fencing token, without it
	 * ever being free: a local handoff in one round trip, which wakes no waiter.
	 * @param from the owner token of the holder handing the lease over
	 * @param to the owner token of the new holder
	 * @return the new holder's attempt: granted, or not acquired when {@code from} no longer held the lease
	 * @throws UnsupportedOperationException unless {@link #handsOver()}
	 */
	default Attempt handOver(LockKeys keys, String from, String to, long ttlMillis) {
		throw new UnsupportedOperationException("This store cannot hand a lease over in one step");
	}

	/**
	 * Whether {@link #handOver} is supported; where it is not, a release and a new acquisition take its place.
	 */
	default boolean handsOver() {
		return false;
	}

	/**
	 * Deletes the lease if {@code owner} still holds it and wakes the waiters; where the store keeps a line of waiting
	 * processes, the key is promised for a while to the first of them.
	 * @return whether it was deleted
	 */
	boolean release(LockKeys keys, String owner);

	/**
	 * Extends each lease that its owner still holds, in as few round trips as the connection allows. Claims are
	 * independent: each outcome completes on its own, so a claim whose node is slow or unreachable delays and fails
	 * only itself.
	 * @return for each claim, in order, its outcome; each completes normally (a failure is a
	 * {@linkplain Renewal#failed failed} renewal), within the command timeout
	 */
	List<CompletableFuture<Renewal>> renew(List<Claim> claims);

	/**
	 * Extends one lease, waiting for the outcome.
	 */
	default Renewal renew(Claim claim) {
		return renew(List.of(claim)).get(0).join();
	}

	/**
	 * Reads the state of a lease without changing it.
	 */
	Inspection inspect(LockKeys keys);

	/**
	 * Checks that each node answers and has the lock scripts loaded (loading them if not), each within
	 * {@code timeout} and the command timeout (the node timeout in quorum mode). Never throws for an unreachable node:
	 * it is reported as such.
	 */
	BackendStatus check(Duration timeout);

	/**
	 * How much of a lease's ttl to hold back for clock drift between the client and the store: nothing for one
	 * Redis deployment, where the lease's validity is measured from before the command was sent.
	 */
	default long driftNanos(long ttlNanos) {
		return 0;
	}

	/**
	 * The outcome of one acquisition attempt.
	 * @param acquired whether the lease was granted
	 * @param fencingToken the token of the granted lease, when acquired
	 * @param holderRemainingMillis the current holder's remaining ttl (negative when unknown), when not acquired
	 */
	record Attempt(boolean acquired, long fencingToken, long holderRemainingMillis) {

		static Attempt granted(long fencingToken) {
			return new Attempt(true, fencingToken, 0);
		}

		static Attempt held(long holderRemainingMillis) {
			return new Attempt(false, 0, holderRemainingMillis);
		}

	}

	/**
	 * A lease to renew: its keys, owner token and new ttl.
	 */
	record Claim(LockKeys keys, String owner, long ttlMillis) {
	}

	/**
	 * The outcome of one claim's renewal.
	 * @param extended whether the lease was extended
	 * @param failure why the store could not be asked, or {@code null} when it answered
	 */
	record Renewal(boolean extended, DataAccessException failure) {

		static final Renewal EXTENDED = new Renewal(true, null);

		static final Renewal REFUSED = new Renewal(false, null);

		static Renewal failed(DataAccessException failure) {
			return new Renewal(false, failure);
		}

	}

	/**
	 * The stored state of a lease.
	 * @param owner the holder's owner token, or {@code null} when the key is free (never shown to clients)
	 * @param remainingMillis the holder's remaining ttl, or 0 when free
	 * @param fencingToken the holder's fencing token, or 0 when free
	 */
	record Inspection(String owner, long remainingMillis, long fencingToken) {

		boolean held() {
			return this.owner != null;
		}

	}

}
