package dev.lockmanager.lock;

/**
 * Thrown when a lease could not be acquired within the wait time, or when the caller may not wait (too many
 * waiters: {@link TooManyWaitersException}). The guarded work did not run.
 */
public class LockNotAcquiredException extends LockException {

	private final String name;

	private final String key;

	public LockNotAcquiredException(String name, String key, String message) {
		this(name, key, message, null);
	}

	protected LockNotAcquiredException(String name, String key, String message, Throwable cause) {
		super(message, cause);
		this.name = name;
		this.key = key;
	}

	/**
	 * @return the lock's namespace
	 */
	public String getName() {
		return this.name;
	}

	/**
	 * @return the key that was not acquired
	 */
	public String getKey() {
		return this.key;
	}

}
