package dev.lockmanager.lock.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Renews held leases in the background at a fraction of their ttl. One daemon thread, owned by this renewer and
 * stopped by {@link #close()}, serves all leases: each run renews every lease that is due, or nearly due, in one
 * batch, then sleeps until the next lease is due. The thread does not wait for Redis: each outcome is handled on it
 * when it arrives, so a lease whose node is slow or unreachable is retried on its own schedule until its validity runs
 * out, without holding back the others. A lease is renewed only while it is registered, so renewal stops
 * when it is released; a renewal that races a release is refused by Redis and ignored here.
 */
final class LeaseRenewer implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(LeaseRenewer.class);

	/** Minimum pause before retrying a renewal that could not reach Redis. */
	private static final long MIN_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private final LeaseStore store;

	private final double ratio;

	private final ScheduledThreadPoolExecutor scheduler;

	private final Set<RedisLease> leases = ConcurrentHashMap.newKeySet();

	/** Leases whose renewal was sent and not answered yet: not sent again until it is. */
	private final Set<RedisLease> inFlight = ConcurrentHashMap.newKeySet();

	/** Leases whose last renewal failed to reach Redis, with the time of the next attempt. */
	private final ConcurrentHashMap<RedisLease, Long> retries = new ConcurrentHashMap<>();

	private final ReentrantLock scheduling = new ReentrantLock();

	private ScheduledFuture<?> nextRun;

	private long nextRunNanos;

	LeaseRenewer(LeaseStore store, double ratio) {
		this.store = store;
		this.ratio = ratio;
		CustomizableThreadFactory threads = new CustomizableThreadFactory("lock-renewal-");
		threads.setDaemon(true);
		this.scheduler = new ScheduledThreadPoolExecutor(1, threads);
		this.scheduler.setRemoveOnCancelPolicy(true);
	}

	void register(RedisLease lease) {
		this.leases.add(lease);
		scheduleBy(dueNanos(lease));
	}

	void unregister(RedisLease lease) {
		this.leases.remove(lease);
		this.retries.remove(lease);
		this.inFlight.remove(lease);
	}

	private long dueNanos(RedisLease lease) {
		Long retry = this.retries.get(lease);
		return (retry != null) ? retry : lease.renewalDueNanos(this.ratio);
	}

	private void run() {
		try {
			renewDue();
		}
		catch (RuntimeException ex) {
			logger.error("Lease renewal failed unexpectedly", ex);
		}
		finally {
			this.scheduling.lock();
			try {
				this.nextRun = null;
			}
			finally {
				this.scheduling.unlock();
			}
			this.leases.stream()
				.filter((lease) -> !this.inFlight.contains(lease))
				.mapToLong(this::dueNanos)
				.min()
				.ifPresent(this::scheduleBy);
		}
	}

	private void renewDue() {
		long now = System.nanoTime();
		List<RedisLease> due = new ArrayList<>();
		for (RedisLease lease : this.leases) {
			// Take leases that are nearly due too, so leases taken close together share one round trip.
			long slack = (long) (lease.ttlNanos() * this.ratio / 4);
			if (!this.inFlight.contains(lease) && dueNanos(lease) - slack <= now) {
				due.add(lease);
			}
		}
		if (due.isEmpty()) {
			return;
		}
		this.inFlight.addAll(due);
		long sentAt = System.nanoTime();
		List<CompletableFuture<LeaseStore.Renewal>> renewals;
		try {
			renewals = this.store.renew(due.stream().map(RedisLease::claim).toList());
		}
		catch (RuntimeException ex) {
			this.inFlight.removeAll(due);
			due.forEach((lease) -> renewalFailed(lease, ex));
			return;
		}
		for (int i = 0; i < due.size(); i++) {
			RedisLease lease = due.get(i);
			renewals.get(i).thenAccept((renewal) -> onRenewalThread(() -> completed(lease, renewal, sentAt)));
		}
	}

	/** Runs the outcome of a renewal on the renewal thread, which owns the leases' renewal state. */
	private void onRenewalThread(Runnable task) {
		try {
			this.scheduler.execute(task);
		}
		catch (RejectedExecutionException ex) {
			// closed: the leases are no longer renewed
		}
	}

	private void completed(RedisLease lease, LeaseStore.Renewal renewal, long sentAt) {
		this.inFlight.remove(lease);
		if (!this.leases.contains(lease)) {
			return;
		}
		if (renewal.failure() != null) {
			renewalFailed(lease, renewal.failure());
		}
		else if (renewal.extended()) {
			this.retries.remove(lease);
			lease.renewed(sentAt);
		}
		else {
			unregister(lease);
			lease.renewalRefused();
		}
		if (this.leases.contains(lease)) {
			scheduleBy(dueNanos(lease));
		}
	}

	private void renewalFailed(RedisLease lease, RuntimeException ex) {
		if (lease.renewalFailed(ex)) {
			long pause = Math.max(MIN_RETRY_NANOS, (long) (lease.ttlNanos() * this.ratio / 4));
			this.retries.put(lease, System.nanoTime() + pause);
		}
		else {
			unregister(lease);
		}
	}

	private void scheduleBy(long dueNanos) {
		this.scheduling.lock();
		try {
			if (this.scheduler.isShutdown() || (this.nextRun != null && this.nextRunNanos <= dueNanos)) {
				return;
			}
			if (this.nextRun != null) {
				this.nextRun.cancel(false);
			}
			this.nextRunNanos = dueNanos;
			long delay = Math.max(0, dueNanos - System.nanoTime());
			this.nextRun = this.scheduler.schedule(this::run, delay, TimeUnit.NANOSECONDS);
		}
		finally {
			this.scheduling.unlock();
		}
	}

	@Override
	public void close() {
		this.scheduler.shutdownNow();
		try {
			if (!this.scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
				logger.warn("Lease renewal thread did not stop within 5 seconds");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
