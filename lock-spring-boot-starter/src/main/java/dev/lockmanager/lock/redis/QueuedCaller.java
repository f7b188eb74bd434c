package dev.lockmanager.lock.redis;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.lockmanager.lock.LockRequest;

/**
 * A caller parked in a {@link KeyQueue}, on its own thread, until a holder of this manager hands it the lease or it
 * is sent to contend in Redis. Its state changes only by compare-and-set, so a caller that gives up can never be
 * handed a lease: a releaser first reserves it, and a reserved caller is sure to be granted or sent to contend
 * within one round trip.
 */
final class QueuedCaller {

	enum State {

		/** Waiting in the queue; may give up. */
		PARKED,
		/** Chosen by a releaser, whose handoff or release is under way; cannot give up. */
		RESERVED,
		/** Handed the lease. */
		GRANTED,
		/** Sent to try in Redis as its key's contender. */
		CONTENDING,
		/** Gave up (wait time over, interrupted), or found expired by a releaser. */
		ABANDONED

	}

	private final AtomicReference<State> state = new AtomicReference<>(State.PARKED);

	private final Semaphore signal = new Semaphore(0);

	private final LockRequest request;

	private final boolean local;

	private final long deadlineNanos;

	private volatile RedisLease lease;

	QueuedCaller(LockRequest request, boolean local, long deadlineNanos) {
		this.request = request;
		this.local = local;
		this.deadlineNanos = deadlineNanos;
	}

	LockRequest request() {
		return this.request;
	}

	/** Whether the lease is this process's own (renewed, released on shutdown) rather than a remote client's. */
	boolean local() {
		return this.local;
	}

	long deadlineNanos() {
		return this.deadlineNanos;
	}

	State state() {
		return this.state.get();
	}

	RedisLease lease() {
		return this.lease;
	}

	/**
	 * Reserves a parked caller for a handoff; one whose wait time is over is abandoned instead.
	 * @return whether it is reserved
	 */
	boolean reserve(long nowNanos) {
		if (nowNanos - this.deadlineNanos >= 0) {
			if (this.state.compareAndSet(State.PARKED, State.ABANDONED)) {
				this.signal.release();
			}
			return false;
		}
		return this.state.compareAndSet(State.PARKED, State.RESERVED);
	}

	/** Hands the lease to a reserved caller. */
	void grant(RedisLease lease) {
		this.lease = lease;
		this.state.set(State.GRANTED);
		this.signal.release();
	}

	/**
	 * Sends a parked or reserved caller to contend in Redis.
	 * @return whether it will (false: it gave up meanwhile)
	 */
	boolean promote() {
		if (this.state.compareAndSet(State.PARKED, State.CONTENDING)
				|| this.state.compareAndSet(State.RESERVED, State.CONTENDING)) {
			this.signal.release();
			return true;
		}
		return false;
	}

	/**
	 * Gives up while parked.
	 * @return whether it did; false when a releaser reserved, granted or promoted it first
	 */
	boolean abandon() {
		return this.state.compareAndSet(State.PARKED, State.ABANDONED);
	}

	/**
	 * Waits up to {@code nanos} for the state to change (or for a spurious wake-up).
	 */
	void await(long nanos) throws InterruptedException {
		if (this.signal.tryAcquire(nanos, TimeUnit.NANOSECONDS)) {
			this.signal.drainPermits();
		}
	}

	/**
	 * Waits, ignoring interrupts, until a reservation ends: it is bounded by the releaser's one round trip (the
	 * command timeout). The interrupt status is kept.
	 */
	void awaitReservationEnd() {
		boolean interrupted = false;
		while (this.state.get() == State.RESERVED) {
			try {
				await(TimeUnit.MILLISECONDS.toNanos(100));
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

}
