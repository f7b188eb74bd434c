package dev.lockmanager.lock.benchmark;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LockManager;
import dev.lockmanager.lock.LockNotAcquiredException;

/**
 * The hot-key cycle, many threads waiting on one key, with an in-process exclusivity check: one holder at a time,
 * fencing tokens increasing. A violation fails the run.
 */
final class HotKeyCheck {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final LockManager manager;

	private final Duration ttl;

	private final AtomicInteger holders = new AtomicInteger();

	private final AtomicLong acquired = new AtomicLong();

	private final AtomicLong overlaps = new AtomicLong();

	private final AtomicLong regressions = new AtomicLong();

	private final AtomicLong timeouts = new AtomicLong();

	/** Written and read only while holding the lease (a second holder would be counted as an overlap). */
	private volatile long lastToken = Long.MIN_VALUE;

	HotKeyCheck(LockManager manager, Duration ttl) {
		this.manager = manager;
		this.ttl = ttl;
	}

	/** The operation: acquire the hot key, waiting up to 10s, check, release. */
	void cycle() {
		Lease lease;
		try {
			lease = this.manager.acquire("hot", this.ttl, WAIT);
		}
		catch (LockNotAcquiredException ex) {
			this.timeouts.incrementAndGet();
			return;
		}
		if (this.holders.incrementAndGet() != 1) {
			this.overlaps.incrementAndGet();
		}
		if (lease.fencingToken() <= this.lastToken) {
			this.regressions.incrementAndGet();
		}
		this.lastToken = lease.fencingToken();
		this.acquired.incrementAndGet();
		this.holders.decrementAndGet();
		lease.release();
	}

	/** Forgets the counts of the warm-up; the token check carries on (tokens only ever grow). */
	void reset() {
		this.acquired.set(0);
		this.overlaps.set(0);
		this.regressions.set(0);
		this.timeouts.set(0);
	}

	boolean ok() {
		return this.overlaps.get() == 0 && this.regressions.get() == 0;
	}

	String summary(double seconds) {
		return String.format(Locale.ROOT, "hot key: %d acquisitions in %.1fs, overlapping holders: %d, "
				+ "fencing token regressions: %d, wait timeouts: %d -> exclusivity %s", this.acquired.get(), seconds,
				this.overlaps.get(), this.regressions.get(), this.timeouts.get(), ok() ? "OK" : "VIOLATED");
	}

}
