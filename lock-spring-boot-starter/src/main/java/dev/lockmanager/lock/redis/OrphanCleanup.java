package dev.lockmanager.lock.redis;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Deletes what a failed acquire may have left behind: a command that timed out may still have been applied by Redis,
 * so its owner token is released with compare-and-delete. One daemon thread with a bounded queue, owned by the
 * manager and stopped by {@link #close()}; during an outage, when every attempt fails, clean-ups beyond the queue are
 * dropped (the keys expire with their ttl anyway), and they never delay lease renewal, which has its own thread.
 */
final class OrphanCleanup implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(OrphanCleanup.class);

	private static final int MAX_PENDING = 1000;

	private final LeaseStore store;

	private final ThreadPoolExecutor executor;

	OrphanCleanup(LeaseStore store) {
		this.store = store;
		CustomizableThreadFactory threads = new CustomizableThreadFactory("lock-cleanup-");
		threads.setDaemon(true);
		this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_PENDING),
				threads);
	}

	void release(LockKeys keys, String owner) {
		try {
			this.executor.execute(() -> {
				try {
					this.store.release(keys, owner);
				}
				catch (RuntimeException ex) {
					logger.debug("Could not clean up after a failed acquire of " + keys.lease()
							+ "; it expires with its ttl", ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			logger.debug("Not cleaning up after a failed acquire of " + keys.lease()
					+ " (shutting down, or too many pending); it expires with its ttl");
		}
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

}
