package dev.lockmanager.lock;

import java.time.Duration;

/**
 * Told what happens to the leases a {@link LockManager} takes for this process: acquisitions and failures to
 * acquire, releases, renewals and losses. Metrics, application events and audit logs are built on it.
 * <p>
 * Methods are called synchronously on the thread where the event happened (the caller's, or the renewal thread for
 * background renewals), after the store answered; keep them short and non-blocking. An exception thrown by a
 * listener is logged and ignored: it never changes the outcome of a lock operation. Leases taken on behalf of remote
 * clients (the HTTP lock API) are not reported here.
 */
public interface LeaseListener {

	/**
	 * A lease was acquired.
	 * @param lease the new lease
	 * @param waited how long the caller waited, from the call to the grant
	 */
	default void acquired(Lease lease, Duration waited) {
	}

	/**
	 * A lease could not be acquired: held by another owner until the wait time ran out, too many waiters, interrupted,
	 * or the store could not be reached.
	 * @param request what was asked for
	 * @param waited how long the caller waited
	 * @param reason the exception thrown to the caller (or, for an empty {@code tryAcquire}, the one that describes
	 * it); a {@link LockBackendUnavailableException} when the store could not be reached
	 */
	default void notAcquired(LockRequest request, Duration waited, LockNotAcquiredException reason) {
	}

	/**
	 * A held lease was released by its holder.
	 * @param lease the released lease
	 * @param held how long it was held, from its acquisition
	 */
	default void released(Lease lease, Duration held) {
	}

	/**
	 * A lease was renewed, in the background or by {@link Lease#renew(Duration)}.
	 * @param lease the renewed lease
	 */
	default void renewed(Lease lease) {
	}

	/**
	 * A renewal, in the background or by {@link Lease#renew(Duration)}, could not reach the store; the lease is kept
	 * while its validity lasts, and a background renewal is retried.
	 * @param lease the lease that could not be renewed
	 * @param cause why the store could not be reached
	 */
	default void renewalFailed(Lease lease, RuntimeException cause) {
	}

	/**
	 * A lease was lost: it expired, another owner took the key, or it was force-released.
	 * @param lease the lost lease
	 * @param reason what happened, for people
	 */
	default void lost(Lease lease, String reason) {
	}

	/**
	 * The holder released a lease that had been lost: the work it guarded may have run without exclusivity. The
	 * holder gets a {@link LeaseLostException}.
	 * @param lease the lost lease
	 */
	default void releasedAfterLoss(Lease lease) {
	}

}
