package dev.lockmanager.lock;

import java.time.Duration;

/**
 * A lease was acquired.
 *
 * @param lease the new lease
 * @param waited how long the caller waited, from the call to the grant
 * @see LeaseEvent
 */
public record LeaseAcquiredEvent(Lease lease, Duration waited) implements LeaseEvent {

	@Override
	public String name() {
		return this.lease.name();
	}

	@Override
	public String key() {
		return this.lease.key();
	}

}
