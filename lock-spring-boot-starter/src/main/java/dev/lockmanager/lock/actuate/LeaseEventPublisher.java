package dev.lockmanager.lock.actuate;

import java.time.Duration;

import org.springframework.context.ApplicationEventPublisher;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseAcquiredEvent;
import dev.lockmanager.lock.LeaseEvent;
import dev.lockmanager.lock.LeaseListener;
import dev.lockmanager.lock.LeaseLostEvent;
import dev.lockmanager.lock.LeaseNotAcquiredEvent;
import dev.lockmanager.lock.LeaseReleasedAfterLossEvent;
import dev.lockmanager.lock.LeaseReleasedEvent;
import dev.lockmanager.lock.LeaseRenewalFailedEvent;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;

/**
 * Publishes a {@link LeaseEvent} for each reported change to a lease, synchronously on the thread that reports it.
 */
final class LeaseEventPublisher implements LeaseListener {

	private final ApplicationEventPublisher publisher;

	LeaseEventPublisher(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public void acquired(Lease lease, Duration waited) {
		this.publisher.publishEvent(new LeaseAcquiredEvent(lease, waited));
	}

	@Override
	public void notAcquired(LockRequest request, Duration waited, LockNotAcquiredException reason) {
		this.publisher.publishEvent(new LeaseNotAcquiredEvent(request, waited, reason));
	}

	@Override
	public void released(Lease lease, Duration held) {
		this.publisher.publishEvent(new LeaseReleasedEvent(lease, held));
	}

	@Override
	public void renewalFailed(Lease lease, RuntimeException cause) {
		this.publisher.publishEvent(new LeaseRenewalFailedEvent(lease, cause));
	}

	@Override
	public void lost(Lease lease, String reason) {
		this.publisher.publishEvent(new LeaseLostEvent(lease, reason));
	}

	@Override
	public void releasedAfterLoss(Lease lease) {
		this.publisher.publishEvent(new LeaseReleasedAfterLossEvent(lease));
	}

}
