package dev.lockmanager.lock;

import java.util.Optional;

import dev.lockmanager.lock.aop.LeaseStack;

/**
 * Access to the lease held by the innermost {@link DistributedLock} method on the current call chain, for example
 * to pass its {@linkplain Lease#fencingToken() fencing token} to a database or a remote API.
 */
public final class LockContext {

	private LockContext() {
	}

	/**
	 * @return the lease of the innermost {@link DistributedLock} method running on this thread's call chain, or
	 * empty outside such a method
	 */
	public static Optional<Lease> current() {
		return LeaseStack.current();
	}

}
