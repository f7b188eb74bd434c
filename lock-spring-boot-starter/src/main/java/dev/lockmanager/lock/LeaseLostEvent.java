package dev.lockmanager.lock;

/**
 * A lease was lost: it expired, another owner took the key, or an operator force-released it. The work it guards may
 * be running without exclusivity from now on. Usually published on the renewal thread, while the holder still runs;
 * the holder learns of it when it releases the lease ({@link LeaseLostException}).
 *
 * @param lease the lost lease
 * @param reason what happened, for people
 * @see LeaseEvent
 */
public record LeaseLostEvent(Lease lease, String reason) implements LeaseEvent {

	@Override
	public String name() {
		return this.lease.name();
	}

	@Override
	public String key() {
		return this.lease.key();
	}

}
