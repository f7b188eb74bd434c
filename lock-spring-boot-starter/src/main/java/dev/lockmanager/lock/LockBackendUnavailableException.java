package dev.lockmanager.lock;

/**
 * Thrown when the lock store (Redis) could not be reached or did not answer in time, as opposed to the key being
 * held by someone else. Retrying later may succeed.
 */
public class LockBackendUnavailableException extends LockNotAcquiredException {

	public LockBackendUnavailableException(String name, String key, String message, Throwable cause) {
		super(name, key, message, cause);
	}

}
