package dev.lockmanager.lock.aop;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockContext;

/**
 * The leases of the {@code @DistributedLock} methods running on the current thread's call chain, innermost first.
 * A frame is pushed when an annotated method starts and popped when it returns, so reentrancy follows the call
 * scope, not the thread. Public only for {@link LockContext#current()}.
 */
public final class LeaseStack {

	/** Unset on threads outside annotated methods, so pooled threads keep nothing. */
	private static final ThreadLocal<Deque<Frame>> frames = new ThreadLocal<>();

	private LeaseStack() {
	}

	/**
	 * @return the lease of the innermost annotated method on this call chain
	 * @see LockContext#current()
	 */
	public static Optional<Lease> current() {
		Deque<Frame> stack = frames.get();
		return (stack != null) ? Optional.of(stack.peek().lease()) : Optional.empty();
	}

	/** The lease already held on this call chain for the same name and key, if any. */
	static Lease find(String name, String key) {
		Deque<Frame> stack = frames.get();
		if (stack == null) {
			return null;
		}
		for (Frame frame : stack) {
			if (frame.name().equals(name) && frame.key().equals(key)) {
				return frame.lease();
			}
		}
		return null;
	}

	static void push(String name, String key, Lease lease) {
		Deque<Frame> stack = frames.get();
		if (stack == null) {
			stack = new ArrayDeque<>();
			frames.set(stack);
		}
		stack.push(new Frame(name, key, lease));
	}

	static void pop() {
		Deque<Frame> stack = frames.get();
		stack.pop();
		if (stack.isEmpty()) {
			frames.remove();
		}
	}

	/** The leases held on this call chain. */
	static Iterator<Lease> leases() {
		Deque<Frame> stack = frames.get();
		return (stack != null) ? stack.stream().map(Frame::lease).iterator() : Collections.emptyIterator();
	}

	private record Frame(String name, String key, Lease lease) {
	}

}
