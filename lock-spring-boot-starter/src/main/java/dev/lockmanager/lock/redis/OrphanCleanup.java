package dev.lockmanager.lock.redis;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Deletes leases their caller could not delete itself: what a failed acquire may have left behind (a command that
 * timed out may still have been applied by Redis) and a lease whose release failed. Each is released with
 * compare-and-delete on its owner token, so a late attempt never touches another holder's lease, and retried with
 * exponential backoff until it would have expired anyway: after a short outage (a failover, a {@code CLUSTERDOWN}
 * window, a reconnect) the key frees up then, not at the end of its ttl.
 * <p>
 * One daemon thread, owned by the manager and stopped by {@link #close()}; during a long outage, clean-ups beyond
 * the first thousand pending are dropped (the keys expire with their ttl anyway). They never delay lease renewal,
 * which has its own thread.
 */
final class OrphanCleanup implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(OrphanCleanup.class);

	private static final int MAX_PENDING = 1000;

	private static final long FIRST_RETRY_MILLIS = 100;

	private static final long MAX_RETRY_MILLIS = 2000;

	private final LeaseStore store;

	private final ScheduledThreadPoolExecutor executor;

	private final AtomicInteger pending = new AtomicInteger();

	OrphanCleanup(LeaseStore store) {
		this.store = store;
		CustomizableThreadFactory threads = new CustomizableThreadFactory("lock-cleanup-");
		threads.setDaemon(true);
		this.executor = new ScheduledThreadPoolExecutor(1, threads);
		this.executor.setRemoveOnCancelPolicy(true);
	}

	/**
	 * Releases {@code owner}'s lease on {@code keys} in the background, now and then again after each failure while
	 * it could still exist.
	 * @param expiresAtNanos when the lease expires at the latest, on the {@link System#nanoTime()} clock
	 */
	void release(LockKeys keys, String owner, long expiresAtNanos) {
		if (this.pending.incrementAndGet() > MAX_PENDING) {
			this.pending.decrementAndGet();
			logger.debug("Not cleaning up " + keys.lease() + " (too many pending clean-ups); it expires with its ttl");
			return;
		}
		schedule(() -> attempt(keys, owner, expiresAtNanos, FIRST_RETRY_MILLIS), 0);
	}

	private void attempt(LockKeys keys, String owner, long expiresAtNanos, long retryMillis) {
		try {
			this.store.release(keys, owner);
		}
		catch (RuntimeException ex) {
			if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryMillis) - expiresAtNanos < 0) {
				logger.debug("Could not clean up " + keys.lease() + "; retrying in " + retryMillis + "ms", ex);
				long next = Math.min(retryMillis * 2, MAX_RETRY_MILLIS);
				schedule(() -> attempt(keys, owner, expiresAtNanos, next), retryMillis);
				return;
			}
			logger.debug("Could not clean up " + keys.lease() + "; it expires with its ttl", ex);
		}
		this.pending.decrementAndGet();
	}

	private void schedule(Runnable attempt, long delayMillis) {
		try {
			this.executor.schedule(attempt, delayMillis, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			this.pending.decrementAndGet();
			logger.debug("Not cleaning up: the lock manager is closed; the key expires with its ttl");
		}
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
