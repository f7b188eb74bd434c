package dev.lockmanager.lock;

/**
 * An application event about a lease this process took through the auto-configured {@link LockManager}: listen to one
 * type ({@code @EventListener void on(LeaseLostEvent event)}) or to this one for all of them.
 * <p>
 * Events are published synchronously, on the thread where the lease changed: the caller's thread for acquisitions,
 * releases and explicit renewals, the renewal thread for background renewal failures and losses. A slow listener
 * delays that thread (and, on the renewal thread, the renewal of other leases), so keep listeners quick or make them
 * {@code @Async}. An exception thrown by a listener is logged and never changes the outcome of the lock operation
 * (Spring's event multicaster then skips the later listeners of that event). Renewals are not published (they are
 * routine; the {@code lock.renewals} meter counts them), nor are leases taken for remote clients.
 * <p>
 * The events are immutable; the {@link Lease} they carry is the live lease, whose state may have moved on by the time
 * a listener looks at it.
 */
public sealed interface LeaseEvent permits LeaseAcquiredEvent, LeaseNotAcquiredEvent, LeaseReleasedEvent,
		LeaseRenewalFailedEvent, LeaseLostEvent, LeaseReleasedAfterLossEvent {

	/**
	 * @return the lock's namespace
	 */
	String name();

	/**
	 * @return the locked key within the namespace
	 */
	String key();

}
