package dev.lockmanager.lock;

import java.time.Duration;

/**
 * A lease could not be acquired: another owner held it until the wait time ran out (or, for {@code tryAcquire}, at
 * the one attempt), too many callers were waiting, the caller was interrupted, or Redis could not be reached.
 *
 * @param request what was asked for
 * @param waited how long the caller waited
 * @param reason the exception the caller got (for an empty {@code tryAcquire}, one that describes it); a
 * {@link LockBackendUnavailableException} when Redis could not be reached
 * @see LeaseEvent
 */
public record LeaseNotAcquiredEvent(LockRequest request, Duration waited, LockNotAcquiredException reason)
		implements LeaseEvent {

	@Override
	public String name() {
		return this.request.name();
	}

	@Override
	public String key() {
		return this.request.key();
	}

	/**
	 * @return whether Redis could not be reached, as opposed to the lock being held by another owner
	 */
	public boolean backendUnavailable() {
		return this.reason instanceof LockBackendUnavailableException;
	}

}
