package dev.lockmanager.lock;

import java.time.Duration;

/**
 * A held lease was released by its holder. (A lease found lost when it is released gives a {@link LeaseLostEvent},
 * if its loss was not reported before, and a {@link LeaseReleasedAfterLossEvent} instead.)
 *
 * @param lease the released lease
 * @param held how long it was held, from its acquisition
 * @see LeaseEvent
 */
public record LeaseReleasedEvent(Lease lease, Duration held) implements LeaseEvent {

	@Override
	public String name() {
		return this.lease.name();
	}

	@Override
	public String key() {
		return this.lease.key();
	}

}
