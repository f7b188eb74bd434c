package dev.lockmanager.lock;

/**
 * Base class of the exceptions thrown by Lock Manager.
 */
public abstract class LockException extends RuntimeException {

	protected LockException(String message, Throwable cause) {
		super(message, cause);
	}

}
