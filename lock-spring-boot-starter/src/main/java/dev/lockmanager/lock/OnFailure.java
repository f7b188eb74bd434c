package dev.lockmanager.lock;

/**
 * What a {@link DistributedLock} method does when the lock is held by someone else for the whole wait time.
 */
public enum OnFailure {

	/**
	 * Throw {@link LockNotAcquiredException}; the method is not invoked.
	 */
	THROW,

	/**
	 * Do not invoke the method and return an empty result: {@code null} for objects (and {@code void}),
	 * {@code Optional.empty()}, an empty {@code List}, {@code Set}, {@code SortedSet}, {@code Map},
	 * {@code SortedMap}, {@code Collection}, {@code Iterable}, stream or array. Rejected at startup on methods
	 * returning a primitive, where no value can say "skipped", and on concrete collection types such as
	 * {@code ArrayList}. Applies to every {@link LockNotAcquiredException} (wait time over, interrupted while waiting,
	 * too many waiters) except Redis being unreachable, which always throws {@link LockBackendUnavailableException}.
	 */
	SKIP

}
