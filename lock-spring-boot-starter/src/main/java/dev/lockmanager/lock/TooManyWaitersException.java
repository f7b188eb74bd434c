package dev.lockmanager.lock;

/**
 * Thrown when the caller may not wait for a held lock because {@code distributed-lock.max-waiters} callers of this
 * instance already wait. Nothing was acquired and the guarded work did not run; the instance is overloaded, so
 * retrying later may succeed.
 */
public class TooManyWaitersException extends LockNotAcquiredException {

	public TooManyWaitersException(String name, String key, String message) {
		super(name, key, message);
	}

}
