package dev.lockmanager.lock;

/**
 * A renewal could not reach Redis. The lease is kept while its validity lasts. A background renewal is retried; if
 * Redis stays unreachable until then, a {@link LeaseLostEvent} follows. Published on the renewal thread for background
 * renewals, on the caller's thread for {@link Lease#renew(java.time.Duration)}, which then throws.
 *
 * @param lease the lease that could not be renewed
 * @param cause why Redis could not be reached
 * @see LeaseEvent
 */
public record LeaseRenewalFailedEvent(Lease lease, RuntimeException cause) implements LeaseEvent {

	@Override
	public String name() {
		return this.lease.name();
	}

	@Override
	public String key() {
		return this.lease.key();
	}

}
