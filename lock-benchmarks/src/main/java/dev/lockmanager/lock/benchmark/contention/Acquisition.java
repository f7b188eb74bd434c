package dev.lockmanager.lock.benchmark.contention;

/**
 * One acquisition of the hot key, timed with {@link System#nanoTime()}, which on Linux reads CLOCK_MONOTONIC and so
 * compares across processes on one machine. The holder certainly held the key from {@code acquireEnd} (the lock was
 * granted before acquire returned) to {@code releaseStart} (it is given back only after release is called), so two
 * such intervals must never overlap, whichever processes they come from.
 *
 * @param instance the application instance that acquired it
 * @param acquireStart when acquire was called
 * @param acquireEnd when acquire returned
 * @param releaseStart when release was called, after the critical section
 * @param releaseEnd when release returned
 * @param fencingToken the holder's fencing token, 0 for libraries without one
 */
record Acquisition(int instance, long acquireStart, long acquireEnd, long releaseStart, long releaseEnd,
		long fencingToken) {

	long acquireNanos() {
		return this.acquireEnd - this.acquireStart;
	}

	/** Acquire plus release, without the critical section between them. */
	long acquireAndReleaseNanos() {
		return acquireNanos() + (this.releaseEnd - this.releaseStart);
	}

}
