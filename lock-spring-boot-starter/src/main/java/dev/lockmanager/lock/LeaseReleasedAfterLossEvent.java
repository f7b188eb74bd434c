package dev.lockmanager.lock;

/**
 * The holder released a lease that had been lost: the work it guarded may have run, at least in part, without
 * exclusivity. The holder gets a {@link LeaseLostException}; this event lets code outside the call path react (audit,
 * reconciliation).
 *
 * @param lease the lost lease
 * @see LeaseEvent
 */
public record LeaseReleasedAfterLossEvent(Lease lease) implements LeaseEvent {

	@Override
	public String name() {
		return this.lease.name();
	}

	@Override
	public String key() {
		return this.lease.key();
	}

}
